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
 * go-persist's own benchmark workload ("Scenario 1: typical application workload"): 100,000 keys pre-filled, then
 * random keys with 20% sets and 80% gets, many threads. go-persist runs 150 goroutines; here 8 and 16 threads
 * (2 cores). Tiers MEMORY (the in-memory map alone, go-persist's sync.Map baseline), ASYNC (go-persist's
 * {@code SetAsync}) and WRITE (its {@code Set}) run in one JMH run, so ASYNC/MEMORY and WRITE/MEMORY come out of
 * the same run.
 *
 * <p>Pre-fill: at MEMORY with MEMORY sets (nothing in the log); at ASYNC and WRITE with ASYNC sets and an
 * {@code fsyncAll}, so the log holds the 100,000 records before the measurement, as go-persist's pre-population.
 * A get of a missing key throws, as go-persist's benchmark panics.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class GoPersistWorkloadBenchmark {
    @Param({"MEMORY", "ASYNC", "WRITE"})
    public Durability tier;

    @Param({"100000"})
    public int keys;

    /** Percentage of operations that are sets (go-persist: writePerc = 20). */
    @Param({"20"})
    public int writePercent;

    private Path dir;
    private Store store;
    private PersistMap<String, Item> map;
    private String[] keyPool;

    private StoreStats before;
    private long iterationStart;
    private int measuredIteration;

    @Setup(Level.Trial)
    public void open() {
        dir = BenchSupport.freshDir("persist-bench-gop-");
        store = Store.open(dir.resolve("bench.log"), StoreOptions.defaults());
        map = store.map("test_struct", Item.class);
        keyPool = BenchSupport.keyPool(keys);
        Durability fill = tier == Durability.MEMORY ? Durability.MEMORY : Durability.ASYNC;
        for (int i = 0; i < keys; i++) {
            map.set(keyPool[i], new Item(i, "example struct", i * 0.5), fill);
        }
        store.fsyncAll();
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

    private Item op() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int i = rnd.nextInt(keyPool.length);
        if (rnd.nextInt(100) < writePercent) {
            Item v = new Item(i, "updated struct", rnd.nextDouble());
            map.set(keyPool[i], v, tier);
            return v;
        }
        Item v = map.get(keyPool[i]);
        if (v == null) {
            throw new IllegalStateException("key not found: " + keyPool[i]);
        }
        return v;
    }

    @Benchmark
    @Threads(8)
    public Item mixed80get20set_08t() {
        return op();
    }

    @Benchmark
    @Threads(16)
    public Item mixed80get20set_16t() {
        return op();
    }
}
