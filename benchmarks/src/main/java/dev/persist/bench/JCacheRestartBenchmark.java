package dev.persist.bench;

import dev.persist.jcache.PersistCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Workload 4, restart: time to reopen a cache manager and its cache whose files hold {@code entries} entries
 * (1,000,000 distinct keys, one put each), through the JCache API: {@code getCacheManager} + {@code createCache}
 * (which brings the entries back) + one {@code get}. Single shot; the files are written once per trial and are in
 * the page cache (CPU-bound reopen, not a cold read). Each trial prints a {@code RESTART} line with the size of the
 * files on disk and how long closing the filled manager took ({@code closeSeconds}); at the end of the trial a
 * {@code RESTART_CLOSE} line gives, for each reopened manager (warmup included; not part of the measured reopen),
 * how long after the reopen this provider's background pass had settled every entry ({@code settledMs}: each value
 * decoded once, see {@code PersistCache.awaitSettled}; the teardown waits for it before closing) and the time of
 * its {@code CacheManager.close()} ({@code closeMs}). persist-WRITE: the log (tier is irrelevant to reopening);
 * ehcache-disk: Ehcache 3's persistent disk tier.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class JCacheRestartBenchmark {
    @Param({"persist-WRITE", "ehcache-disk"})
    public String impl;

    @Param({"1000000"})
    public int entries;

    private Path dir;
    private String[] keyPool;
    private CacheManager manager;
    private Cache<String, Item> cache;
    private final List<String> closeMillis = new ArrayList<>();
    private final List<String> settledMillis = new ArrayList<>();
    private long readyNanos;

    @Setup(Level.Trial)
    public void build() {
        dir = BenchSupport.freshDir("persist-bench-restart-");
        keyPool = BenchSupport.keyPool(entries);
        CacheManager m = JCacheImpls.openManager(impl, dir);
        try {
            Cache<String, Item> c = JCacheImpls.createCache(impl, m);
            long t0 = System.nanoTime();
            JCacheImpls.fill(impl, c, keyPool);
            long fillNanos = System.nanoTime() - t0;
            long c0 = System.nanoTime();
            m.close();
            long closeNanos = System.nanoTime() - c0;
            long bytes = JCacheImpls.sizeOnDisk(dir);
            System.out.printf("%nRESTART impl=%s entries=%d bytesOnDisk=%d bytes/entry=%.1f fillSeconds=%.2f"
                    + " closeSeconds=%.2f%n", impl, entries, bytes, (double) bytes / entries, fillNanos / 1e9,
                    closeNanos / 1e9);
        } finally {
            JCacheImpls.close(m);
        }
    }

    @Benchmark
    public Item reopen() {
        manager = JCacheImpls.openManager(impl, dir);
        cache = JCacheImpls.createCache(impl, manager);
        Item first = cache.get(keyPool[0]);
        readyNanos = System.nanoTime();
        return first;
    }

    @TearDown(Level.Invocation)
    public void closeAgain() throws InterruptedException {
        try {
            if (cache == null || cache.get(keyPool[entries - 1]) == null || cache.get(keyPool[entries / 2]) == null) {
                throw new IllegalStateException(impl + ": entries did not come back after the restart");
            }
            if (JCacheImpls.persistTier(impl) != null) {
                if (!cache.unwrap(PersistCache.class).awaitSettled(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException(impl + ": entries not settled after 5 minutes");
                }
                settledMillis.add(String.format(Locale.ROOT, "%.0f", (System.nanoTime() - readyNanos) / 1e6));
            }
        } finally {
            long c0 = System.nanoTime();
            JCacheImpls.close(manager);
            closeMillis.add(String.format(Locale.ROOT, "%.0f", (System.nanoTime() - c0) / 1e6));
            manager = null;
            cache = null;
        }
    }

    @TearDown(Level.Trial)
    public void delete() {
        System.out.printf("%nRESTART_CLOSE impl=%s entries=%d settledMs=%s closeMs=%s%n", impl, entries,
                settledMillis.isEmpty() ? "-" : String.join(",", settledMillis), String.join(",", closeMillis));
        BenchSupport.deleteRecursively(dir);
    }
}
