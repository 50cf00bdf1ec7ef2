package dev.persist.bench;

import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import dev.persist.store.StoreOptions;
import dev.persist.store.StoreStats;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code PersistMap.set} throughput per durability tier, at 1, 2, 8 and 16 threads: one {@code @Benchmark} method
 * per thread count ({@code set_01t} .. {@code set_16t}), so a single JMH run covers every tier and thread count.
 *
 * <p>Each trial (tier x thread count) opens a fresh store in a new temp directory and deletes it afterwards. Each
 * call sets a random key of a fixed pool of {@link #keys} keys to a new small {@link Item} (JSON-encoded by the
 * store, except at MEMORY where nothing is encoded).
 *
 * <p>After every measured iteration a {@code LOGSTATS} line gives the records that reached the log and the
 * {@code write(2)} and {@code fsync} calls that took: for FSYNC at 16 threads, records/fsync is the group commit
 * batch size.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class StoreSetBenchmark {
    @Param({"MEMORY", "ASYNC", "WRITE", "FSYNC"})
    public Durability tier;

    @Param({"100000"})
    public int keys;

    private Path dir;
    private Store store;
    private PersistMap<String, Item> map;
    private String[] keyPool;

    private StoreStats before;
    private long iterationStart;
    private int measuredIteration;

    @Setup(Level.Trial)
    public void open() {
        dir = BenchSupport.freshDir("persist-bench-set-");
        store = Store.open(dir.resolve("bench.log"), StoreOptions.defaults());
        map = store.map("items", Item.class);
        keyPool = BenchSupport.keyPool(keys);
    }

    @Setup(Level.Iteration)
    public void markIteration() {
        before = store.stats();
        iterationStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void reportIteration(BenchmarkParams benchmark, IterationParams iteration) {
        long nanos = System.nanoTime() - iterationStart;
        StoreStats after = store.stats();
        if (iteration.getType() == IterationType.MEASUREMENT) {
            BenchSupport.printLogLine(benchmark.getBenchmark(), tier.name(), benchmark.getThreads(),
                    ++measuredIteration, before, after, nanos);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            BenchSupport.deleteRecursively(dir);
        }
    }

    private void setOne() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int i = rnd.nextInt(keyPool.length);
        map.set(keyPool[i], new Item(i, "updated struct", rnd.nextDouble()), tier);
    }

    @Benchmark
    @Threads(1)
    public void set_01t() {
        setOne();
    }

    @Benchmark
    @Threads(2)
    public void set_02t() {
        setOne();
    }

    @Benchmark
    @Threads(8)
    public void set_08t() {
        setOne();
    }

    @Benchmark
    @Threads(16)
    public void set_16t() {
        setOne();
    }
}
