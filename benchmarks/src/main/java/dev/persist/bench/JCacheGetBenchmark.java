package dev.persist.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Workload 1, get-heavy: 100% {@code Cache.get} on a cache filled with 100,000 keys, Zipf-like keys (s = 0.99,
 * precomputed, 2^20 draws; each thread walks the draws from its own random offset, {@link ZipfCursor}), 1, 2 and 8
 * threads.
 * Store-by-value: every get returns a copy (Java deserialization in all implementations), except in the
 * {@code caffeine-raw} reference, which holds the values by reference.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class JCacheGetBenchmark extends JCacheTrial {
    int[] zipf;

    @Setup(Level.Trial)
    public void draws() {
        zipf = Zipf.indices(keys, 0.99, ZipfCursor.DRAWS, 42);
    }

    private Item get(ZipfCursor c) {
        Item v = ops.get(keyPool[zipf[c.next()]]);
        if (v == null) {
            throw new IllegalStateException(impl + ": missing key");
        }
        return v;
    }

    @Benchmark
    @Threads(1)
    public Item get_01t(ZipfCursor c) {
        return get(c);
    }

    @Benchmark
    @Threads(2)
    public Item get_02t(ZipfCursor c) {
        return get(c);
    }

    @Benchmark
    @Threads(8)
    public Item get_08t(ZipfCursor c) {
        return get(c);
    }
}
