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

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12, get: {@code Cache.get} on the 2M-entry data set ({@link DiskDataSet}) behind a front of 100,000
 * entries, heap 512 MB, 1 and 8 threads.
 * <ul>
 *   <li>{@code get_uniform_*}: uniformly random keys: about 95% of the gets miss the front and are read from the
 *       disk tier (files in the page cache).</li>
 *   <li>{@code get_zipf_*}: Zipf keys ({@link Zipf}, s = 0.99, 2^20 precomputed draws over the 2M keys, fixed seed;
 *       each thread walks them from its own offset, {@link ZipfCursor}): mostly front hits. The setup fills the
 *       front with the 100,000 hottest keys first (all get benchmarks, uniform too). The reference is
 *       {@code persist-heap} (today's cache, every entry in the heap) on a data set that fits in the same 512 MB
 *       heap: 200,000 entries by default (run.sh's {@code BENCH_DISK_REF_ENTRIES}), Zipf s = 0.99 over those keys,
 *       same seed.</li>
 * </ul>
 * Keys are formatted per get ({@code Integer.toString}) rather than held in a pool of 2M strings, which would take
 * a fifth of the 512 MB heap; every implementation pays the same.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class DiskGetBenchmark extends DiskTrial {
    int[] zipf;

    /**
     * The Zipf draws, and the front filled before the warmup: two gets of each of the {@link DiskDataSet#FRONT}
     * hottest keys of the draws, hottest first. Without it the short warmup measured a front still filling (Ehcache
     * Zipf at 1 thread: 5.8k, 17.9k, 23.5k, 37.0k ops/s in successive 3 s iterations). Two, because persist-disk
     * keeps a value read back from disk only on its key's second read (second-read admission); Ehcache keeps it on
     * the first, so its second get is a heap hit.
     */
    @Override
    protected void afterOpen() {
        zipf = Zipf.indices(entries, 0.99, ZipfCursor.DRAWS, 42);
        int[] hottest = Zipf.hottest(entries, 42, DiskDataSet.FRONT);
        for (int round = 0; round < 2; round++) {
            for (int i : hottest) {
                get(i);
            }
        }
    }

    private Blob get(int index) {
        Blob v = cache.get(Integer.toString(index));
        if (v == null) {
            throw new IllegalStateException(impl + ": missing key " + index);
        }
        return v;
    }

    @Benchmark
    @Threads(1)
    public Blob get_uniform_01t() {
        return get(ThreadLocalRandom.current().nextInt(entries));
    }

    @Benchmark
    @Threads(8)
    public Blob get_uniform_08t() {
        return get(ThreadLocalRandom.current().nextInt(entries));
    }

    @Benchmark
    @Threads(1)
    public Blob get_zipf_01t(ZipfCursor c) {
        return get(zipf[c.next()]);
    }

    @Benchmark
    @Threads(8)
    public Blob get_zipf_08t(ZipfCursor c) {
        return get(zipf[c.next()]);
    }
}
