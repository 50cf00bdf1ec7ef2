package dev.persist.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import javax.cache.Cache;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the disk-tier throughput benchmarks share: per {@code impl} the {@link DiskDataSet} of {@code entries}
 * entries (built once, reused), reopened at the start of the trial after its files were read once (page cache
 * warm), this provider's caches settled, and closed at the end (the data set stays).
 */
@State(Scope.Benchmark)
public abstract class DiskTrial {
    @Param({"persist-disk", "ehcache-disk"})
    public String impl;

    @Param({"2000000"})
    public int entries;

    protected DiskDataSet.Opened opened;
    protected Cache<String, Blob> cache;

    @Setup(Level.Trial)
    public void openDataSet() {
        Path dir = DiskDataSet.ensure(impl, entries);
        long w = System.nanoTime();
        DiskDataSet.warmPageCache(dir);
        long o = System.nanoTime();
        opened = DiskDataSet.open(impl, dir);
        cache = opened.cache();
        DiskDataSet.awaitSettled(impl, cache);
        DiskDataSet.check(impl, cache, entries);
        long r = System.nanoTime();
        afterOpen();
        System.out.printf(Locale.ROOT, "%nDISKTRIAL impl=%s entries=%d pageCacheWarmSeconds=%.1f"
                + " reopenAndSettleSeconds=%.1f afterOpenSeconds=%.1f maxHeapMB=%d persistDurability=%s"
                + " persistAutoShrink=%s%n", impl,
                entries, (o - w) / 1e9, (r - o) / 1e9, (System.nanoTime() - r) / 1e9,
                Runtime.getRuntime().maxMemory() >> 20, DiskDataSet.durability(), DiskDataSet.autoShrink());
    }

    /** Called at the end of the trial's setup, the cache open. */
    protected void afterOpen() {
    }

    /** Called at the start of the trial's teardown, the cache still open. */
    protected void beforeClose() {
    }

    @TearDown(Level.Trial)
    public void closeDataSet() {
        if (opened != null) {
            try {
                beforeClose();
            } finally {
                opened.close();
            }
        }
    }
}
