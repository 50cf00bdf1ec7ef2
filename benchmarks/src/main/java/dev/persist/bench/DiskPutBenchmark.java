package dev.persist.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.persist.store.Store;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12, put: {@code Cache.put} of a new ~1 KB {@link Blob} under a uniformly random key of the 2M-entry data
 * set (overwrites), heap 512 MB, 1 and 8 threads. persist-disk at tier WRITE (its configuration), ehcache-disk with
 * its persistent disk tier. The data set keeps the overwritten values (same keys, same sizes), so the get
 * benchmarks can still use it; run.sh runs this one last.
 *
 * <p>A trial ends, for persist-disk, with a shrink of the store (not measured): its log takes every overwrite as a
 * new record, and without it the data set grew by gigabytes per run, past what the page cache holds, so that the
 * next run's gets read live records scattered over all of it, some from the disk itself. Ehcache's disk file is
 * rewritten in place and does not grow.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class DiskPutBenchmark extends DiskTrial {
    /** A thread's values: 16 payloads made once, so the loop measures the put, not the making of 1 KB. */
    @State(Scope.Thread)
    public static class Values {
        final Blob[] payloads = new Blob[16];
        int n;

        public Values() {
            int seed = ThreadLocalRandom.current().nextInt();
            for (int i = 0; i < payloads.length; i++) {
                payloads[i] = Blob.of(seed, i + 1);
            }
        }

        Blob next(int id) {
            int v = ++n;
            return new Blob(id, v, payloads[v & 15].data());
        }
    }

    /**
     * With {@code BENCH_DISK_TOUCH_FREE=1}, touches the machine's free memory first, for every implementation alike
     * ({@link FreeMemoryTouch}): the log's appends grow the page cache, and on a virtual machine whose free memory the
     * host has taken back every new page costs a host fault. A diagnostic, off by default.
     */
    @Override
    protected void afterOpen() {
        if (FreeMemoryTouch.enabled()) {
            FreeMemoryTouch.run("impl=" + impl);
        }
    }

    @Override
    protected void beforeClose() {
        if (impl.equals("persist-disk")) {
            Store store = cache.getCacheManager().unwrap(Store.class);
            long autoShrinks = store.stats().shrinks();
            long t0 = System.nanoTime();
            store.shrink();
            System.out.printf(Locale.ROOT, "%nDISKTRIAL impl=%s autoShrinksDuringTrial=%d shrinkSecondsAfterPuts=%.1f%n",
                    impl, autoShrinks, (System.nanoTime() - t0) / 1e9);
        }
    }

    private void put(Values values) {
        int i = ThreadLocalRandom.current().nextInt(entries);
        cache.put(Integer.toString(i), values.next(i));
    }

    @Benchmark
    @Threads(1)
    public void put_01t(Values values) {
        put(values);
    }

    @Benchmark
    @Threads(8)
    public void put_08t(Values values) {
        put(values);
    }
}
