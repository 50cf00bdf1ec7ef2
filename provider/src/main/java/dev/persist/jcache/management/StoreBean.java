package dev.persist.jcache.management;

import dev.persist.store.Store;
import dev.persist.store.StoreStats;

import javax.cache.CacheException;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.nio.file.Path;
import java.util.List;

/** The {@link StoreMXBean} of one open store. */
public final class StoreBean implements StoreMXBean {
    private final Store store;

    /** @param store an open store */
    public StoreBean(Store store) {
        this.store = store;
    }

    /** @return the ObjectName of the bean of {@code store} */
    public static ObjectName nameOf(Store store) {
        try {
            return new ObjectName("dev.persist.jcache:type=Store,path=" + ObjectName.quote(store.path().toString()));
        } catch (MalformedObjectNameException e) {
            throw new CacheException("invalid MBean name for store " + store.path(), e);
        }
    }

    private StoreStats stats() {
        return store.stats();
    }

    @Override
    public String getPath() {
        return store.path().toString();
    }

    @Override
    public long getLiveKeys() {
        return stats().liveKeys();
    }

    @Override
    public long getOrphanKeys() {
        return stats().orphanKeys();
    }

    @Override
    public long getLogRecords() {
        return stats().logRecords();
    }

    @Override
    public long getLogBytes() {
        return stats().logBytes();
    }

    @Override
    public long getWriteCalls() {
        return stats().writeCalls();
    }

    @Override
    public long getSyncCalls() {
        return stats().syncCalls();
    }

    @Override
    public long getUndecodableRecords() {
        return stats().undecodableRecords();
    }

    @Override
    public long getShrinks() {
        return stats().shrinks();
    }

    @Override
    public long getTornBytesTruncated() {
        return stats().tornBytesTruncated();
    }

    @Override
    public long getDiskReads() {
        return stats().diskReads();
    }

    @Override
    public long getDamagedReads() {
        return stats().damagedReads();
    }

    @Override
    public long getAsyncBacklogBytes() {
        return stats().asyncBacklogBytes();
    }

    @Override
    public long getAsyncOverflows() {
        return stats().asyncOverflows();
    }

    @Override
    public String getFailure() {
        Throwable f = stats().failure();
        return f == null ? null : f.toString();
    }

    @Override
    public void shrink() {
        store.shrink();
    }

    @Override
    public void fsyncAll() {
        store.fsyncAll();
    }

    @Override
    public String backup(String directory) {
        List<Path> files = store.backup(Path.of(directory));
        long bytes = 0;
        for (Path f : files) {
            bytes += f.toFile().length();
        }
        return files.size() + " files, " + bytes + " bytes, in " + Path.of(directory).toAbsolutePath();
    }
}
