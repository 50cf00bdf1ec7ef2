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
 * Workload 3, put-only: {@code Cache.put} of a new {@link Item} under a uniformly random key of the 100,000
 * pre-filled ones (overwrites), 1 and 16 threads. persist-FSYNC 16 threads / 1 thread is the group commit gain.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class JCachePutBenchmark extends JCacheTrial {
    private Item put() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int i = rnd.nextInt(keyPool.length);
        Item v = new Item(i, "updated struct", rnd.nextDouble());
        ops.put(keyPool[i], v);
        return v;
    }

    @Benchmark
    @Threads(1)
    public Item put_01t() {
        return put();
    }

    @Benchmark
    @Threads(16)
    public Item put_16t() {
        return put();
    }
}
