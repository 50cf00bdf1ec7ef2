package dev.persist.jcache;

import dev.persist.jcache.config.ConfigException;
import dev.persist.jcache.config.ManagerSettings;
import dev.persist.jcache.management.MBeans;
import dev.persist.jcache.management.StoreBean;
import dev.persist.store.Store;
import dev.persist.store.StoreOptions;

import java.nio.file.Path;
import dev.persist.store.PersistMap;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The open stores of this JVM, by log file (each counts its holders itself: {@link Store#retain}). Managers that resolve to one
 * file (the TCK keeps managers of one URI open under several ClassLoaders) share one {@link Store}: a second
 * {@code Store} on the file would fail on its lock. The first manager's store settings win; the last release closes
 * the store.
 */
final class SharedStores {
    private static final Map<Path, Store> OPEN = new HashMap<>();

    static {
        // an application that exits without closing its cache managers still gets its ASYNC (write-behind)
        // changes written and fsynced, as close() would
        Runtime.getRuntime().addShutdownHook(new Thread(SharedStores::closeAllAtExit, "persist-jcache-shutdown"));
    }

    private SharedStores() {
    }

    /**
     * @param settings         the manager's settings
     * @param settlingExecutor where the store settles values read back at restart, or null for its own thread
     * @return the open store of the settings' file, opened now if no manager holds it
     */
    static synchronized Store acquire(ManagerSettings settings, Executor settlingExecutor) {
        Path file = settings.storePath().toAbsolutePath().normalize();
        Store shared = OPEN.get(file);
        if (shared != null && shared.isOpen() && settings.generation() != null
                && !settings.generation().equals(shared.generation())) {
            // its caches are open in another manager, with data of another generation: clearing them under that
            // manager is not this manager's to do, and sharing them would serve the other generation's data
            throw new ConfigException(settings.source(), "store.generation", "is '" + settings.generation()
                    + "', but the store " + file + " is open in this JVM (another cache manager on the same file) "
                    + "with generation " + (shared.generation() == null ? "none" : "'" + shared.generation() + "'")
                    + "; give the managers of one file the same store.generation");
        }
        if (shared != null && shared.retain()) {
            return shared;
        }
        StoreOptions options = StoreOptions.defaults().syncInterval(settings.syncInterval())
                .segmentBytes(settings.segmentBytes()).mappedReads(settings.mappedReads())
                .mappedAppends(settings.mappedAppends())
                .generation(settings.generation())
                .diskNamespaces(CacheNamespaces.diskBacked(settings));
        if (settings.asyncBacklogBytes() > 0) {
            options = options.asyncBacklogBytes(settings.asyncBacklogBytes());
        }
        Store store = Store.open(file, settlingExecutor == null ? options : options.settlingExecutor(settlingExecutor));
        if (settings.autoShrinkInterval() != null) {
            store.startAutoShrink(settings.autoShrinkInterval(), settings.autoShrinkRatio());
        } else {
            warnIfDiskCachesGrowTheLog(file, settings);
        }
        OPEN.put(file, store);
        MBeans.register(new StoreBean(store), StoreBean.nameOf(store));
        return store;
    }

    /**
     * Says so when caches with {@code disk} share a store without auto-shrink: their overwrites and deletes stay in
     * the segment files until a shrink, so the files grow past {@code disk.maximumBytes} (which bounds the live
     * records) with every write, where a user of Ehcache's disk tier expects the files to stay bounded.
     */
    private static void warnIfDiskCachesGrowTheLog(Path file, ManagerSettings settings) {
        java.util.List<String> disk = new java.util.ArrayList<>();
        settings.caches().forEach((name, cache) -> {
            if (cache.diskBacked()) {
                disk.add(name);
            }
        });
        java.util.Collections.sort(disk);
        if (settings.bounds().diskBytes() != null) {
            disk.add("every cache through defaults.disk");
        }
        if (disk.isEmpty()) {
            return;
        }
        System.getLogger(SharedStores.class.getName()).log(System.Logger.Level.WARNING, "the store " + file
                + " holds caches with disk (" + String.join(", ", disk) + ") and store.autoShrink is not set: "
                + "overwritten and deleted records stay in its segment files until Store.shrink() is called, so "
                + "the files grow with every write, past disk.maximumBytes; set store.autoShrink (for example "
                + "{ interval: 1m, ratio: 3.0 }) to keep them within about ratio times the live bytes");
    }

    private static void closeAllAtExit() {
        Store[] open;
        synchronized (SharedStores.class) {
            open = OPEN.values().toArray(new Store[0]);
        }
        for (Store store : open) {
            try {
                store.close();
            } catch (RuntimeException ex) {
                System.getLogger(SharedStores.class.getName()).log(System.Logger.Level.ERROR,
                        "closing " + store.path() + " at exit failed", ex);
            }
        }
    }

    /**
     * Releases one manager's hold on {@code store} and its namespaces, in one call ({@link Store#release}): the last
     * holder closes the store, the others detach their namespaces. Under this class's lock, which {@link #acquire}
     * takes too: a manager acquiring the store at the same moment either retains it first (then this is not the last
     * holder) or finds it closed and opens the file again, replaying the log.
     *
     * @param store the store
     * @param held  the manager's persistent namespaces
     */
    static synchronized void release(Store store, Collection<? extends PersistMap<?, ?>> held) {
        try {
            store.release(held);
        } finally {
            if (!store.isOpen() && OPEN.get(store.path()) == store) {
                OPEN.remove(store.path());
                MBeans.unregister(StoreBean.nameOf(store));
            }
        }
    }
}
