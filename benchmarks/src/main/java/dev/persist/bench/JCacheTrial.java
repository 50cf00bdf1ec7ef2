package dev.persist.bench;

import dev.persist.store.Store;
import dev.persist.store.StoreStats;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;

/**
 * What the JCache benchmarks share: per {@code impl} a {@code Cache<String, Item>} opened through the JCache API
 * in a fresh directory per trial (deleted afterwards), filled with {@code keys} entries; for this provider's
 * caches a LOGSTATS line per measured iteration (records, write and fsync calls), as {@link StoreTrial}.
 * {@code caffeine-raw} is a plain Caffeine cache instead, no JCache layer, values held by reference (the
 * reference the JCache implementations are measured against). The benchmarks use either through {@link #ops}.
 */
@State(Scope.Benchmark)
public abstract class JCacheTrial {
    @Param({"persist-MEMORY", "persist-ASYNC", "persist-WRITE", "persist-FSYNC", "caffeine", "ehcache-heap",
            "ehcache-disk", "caffeine-raw"})
    public String impl;

    @Param({"100000"})
    public int keys;

    protected Path dir;
    protected CacheManager manager;
    /** The JCache cache; null for {@code caffeine-raw}. */
    protected Cache<String, Item> cache;
    /** What the benchmarks call: {@link #cache} through {@link BenchCache.OverJCache}, or raw Caffeine. */
    protected BenchCache ops;
    protected String[] keyPool;
    private Store store;
    private StoreStats before;
    private long iterationStart;
    private int measuredIteration;

    @Setup(Level.Trial)
    public void openCache() {
        dir = BenchSupport.freshDir("persist-bench-jcache-");
        try {
            open();
        } catch (RuntimeException | Error e) {
            closeCache(); // JMH runs no trial teardown after a failed setup: do not leave the directory behind
            throw e;
        }
    }

    private void open() {
        keyPool = BenchSupport.keyPool(keys);
        if (JCacheImpls.isRawCaffeine(impl)) {
            ops = JCacheImpls.rawCaffeine(keyPool); // by reference, on purpose: no store-by-value check
        } else {
            manager = JCacheImpls.openManager(impl, dir);
            cache = JCacheImpls.createCache(impl, manager);
            if (!JCacheImpls.storeByValue(cache)) {
                throw new IllegalStateException(impl + " is not store-by-value");
            }
            store = JCacheImpls.storeOf(impl, cache);
            JCacheImpls.fill(impl, cache, keyPool);
            ops = new BenchCache.OverJCache(cache);
        }
        if (ops.get(keyPool[keys - 1]) == null || ops.get(keyPool[0]) == null) {
            throw new IllegalStateException(impl + ": filled entries missing");
        }
    }

    @Setup(Level.Iteration)
    public void markIteration() {
        if (store != null) {
            before = store.stats();
        }
        iterationStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void reportIteration(BenchmarkParams benchmark, IterationParams iteration) {
        long nanos = System.nanoTime() - iterationStart;
        if (store != null && iteration.getType() == IterationType.MEASUREMENT) {
            BenchSupport.printLogLine(benchmark.getBenchmark(), impl, benchmark.getThreads(), ++measuredIteration,
                    before, store.stats(), nanos);
        }
    }

    @TearDown(Level.Trial)
    public void closeCache() {
        try {
            JCacheImpls.close(manager);
        } finally {
            BenchSupport.deleteRecursively(dir);
        }
    }
}
