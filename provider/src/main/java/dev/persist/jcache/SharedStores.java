package dev.persist.jcache;

import dev.persist.jcache.config.ManagerSettings;
import dev.persist.jcache.management.MBeans;
import dev.persist.jcache.management.StoreBean;
import dev.persist.store.Store;
import dev.persist.store.StoreOptions;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The open stores of this JVM, by log file, with a count of the managers using each. Managers that resolve to one
 * file (the TCK keeps managers of one URI open under several ClassLoaders) share one {@link Store}: a second
 * {@code Store} on the file would fail on its lock. The first manager's store settings win; the last release closes
 * the store.
 */
final class SharedStores {
    private static final Map<Path, Entry> OPEN = new HashMap<>();
    /** Tests only: runs when the last reference is released, under the lock, before the store closes. */
    static volatile Runnable beforeLastClose;

    static {
        // an application that exits without closing its cache managers still gets its ASYNC (write-behind)
        // changes written and fsynced, as close() would
        Runtime.getRuntime().addShutdownHook(new Thread(SharedStores::closeAllAtExit, "persist-jcache-shutdown"));
    }

    private static final class Entry {
        final Store store;
        int references;

        Entry(Store store) {
            this.store = store;
        }
    }

    private SharedStores() {
    }

    /** @return the open store of the settings' file, opened now if no manager holds it */
    static synchronized Store acquire(ManagerSettings settings) {
        Path file = settings.storePath().toAbsolutePath().normalize();
        Entry e = OPEN.get(file);
        if (e == null || !e.store.isOpen()) {
            Store store = Store.open(file, StoreOptions.defaults().syncInterval(settings.syncInterval()));
            if (settings.autoShrinkInterval() != null) {
                store.startAutoShrink(settings.autoShrinkInterval(), settings.autoShrinkRatio());
            }
            e = new Entry(store);
            OPEN.put(file, e);
            MBeans.register(new StoreBean(store), StoreBean.nameOf(store));
        }
        e.references++;
        return e.store;
    }

    private static void closeAllAtExit() {
        Entry[] open;
        synchronized (SharedStores.class) {
            open = OPEN.values().toArray(new Entry[0]);
        }
        for (Entry e : open) {
            try {
                e.store.close();
            } catch (RuntimeException ex) {
                System.getLogger(SharedStores.class.getName()).log(System.Logger.Level.ERROR,
                        "closing " + e.store.path() + " at exit failed", ex);
            }
        }
    }

    /**
     * Drops one reference to {@code store}, whose holder has closed its caches but not yet unregistered their
     * namespaces. If it is the last reference, the store is closed with the namespaces still registered: the log
     * already holds their entries (the store writes pending ASYNC changes when it closes), and no other manager can
     * adopt them any more, so unregistering them ({@code detach}: each entry turned back into an orphan record, an
     * encode per entry held as an object) would be wasted work. Otherwise {@code detach} runs first, outside the
     * lock (the store stays open for the others), so that another manager can adopt the namespaces later.
     *
     * <p>The decision and the close happen under this class's lock, which {@link #acquire} takes too: a manager
     * acquiring the store at the same moment either comes first (then this is not the last reference, and
     * {@code detach} runs), or waits until the store is closed and then opens the file again, replaying the log.
     *
     * @param detach unregisters the holder's namespaces
     * @return true if this closed the store without {@code detach}
     */
    static boolean release(Store store, Runnable detach) {
        synchronized (SharedStores.class) {
            Entry e = OPEN.get(store.path());
            if (e != null && e.store == store && e.references == 1) {
                Runnable hook = beforeLastClose;
                if (hook != null) {
                    hook.run();
                }
                release(store);
                return true;
            }
        }
        detach.run();
        release(store);
        return false;
    }

    /** Drops one reference to {@code store}; the last one closes it. */
    static synchronized void release(Store store) {
        Path file = store.path();
        Entry e = OPEN.get(file);
        if (e == null || e.store != store) {
            store.close();
            return;
        }
        if (--e.references == 0) {
            OPEN.remove(file);
            MBeans.unregister(StoreBean.nameOf(store));
            store.close();
        }
    }
}
