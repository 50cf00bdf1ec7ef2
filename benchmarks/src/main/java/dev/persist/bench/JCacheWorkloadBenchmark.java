package dev.persist.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Workload 2, go-persist's own workload through JCache: 100,000 keys pre-filled, uniformly random keys, 80%
 * {@code get} / 20% {@code put} of a new small {@link Item}, 8 and 16 threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class JCacheWorkloadBenchmark extends JCacheTrial {
    /** Percentage of operations that are puts (go-persist: writePerc = 20). */
    @Param({"20"})
    public int writePercent;

    private Item op() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int i = rnd.nextInt(keyPool.length);
        if (rnd.nextInt(100) < writePercent) {
            Item v = new Item(i, "updated struct", rnd.nextDouble());
            ops.put(keyPool[i], v);
            return v;
        }
        Item v = ops.get(keyPool[i]);
        if (v == null) {
            throw new IllegalStateException(impl + ": key not found: " + keyPool[i]);
        }
        return v;
    }

    @Benchmark
    @Threads(8)
    public Item mixed80get20put_08t() {
        return op();
    }

    @Benchmark
    @Threads(16)
    public Item mixed80get20put_16t() {
        return op();
    }
}
