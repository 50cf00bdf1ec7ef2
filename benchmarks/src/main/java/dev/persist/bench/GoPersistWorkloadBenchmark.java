package dev.persist.bench;

import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

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
public class GoPersistWorkloadBenchmark extends StoreTrial {
    @Param({"MEMORY", "ASYNC", "WRITE"})
    public Durability tier;

    @Override
    protected String tierName() {
        return tier.name();
    }

    @Param({"100000"})
    public int keys;

    /** Percentage of operations that are sets (go-persist: writePerc = 20). */
    @Param({"20"})
    public int writePercent;

    private PersistMap<String, Item> map;
    private String[] keyPool;

    @Setup(Level.Trial)
    public void open() {
        openStore("persist-bench-gop-");
        map = store.map("test_struct", Item.class);
        keyPool = BenchSupport.keyPool(keys);
        Durability fill = tier == Durability.MEMORY ? Durability.MEMORY : Durability.ASYNC;
        for (int i = 0; i < keys; i++) {
            map.set(keyPool[i], new Item(i, "example struct", i * 0.5), fill);
        }
        store.fsyncAll();
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
