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
public class StoreSetBenchmark extends StoreTrial {
    @Param({"MEMORY", "ASYNC", "WRITE", "FSYNC"})
    public Durability tier;

    @Override
    protected String tierName() {
        return tier.name();
    }

    @Param({"100000"})
    public int keys;

    private PersistMap<String, Item> map;
    private String[] keyPool;

    @Setup(Level.Trial)
    public void open() {
        openStore("persist-bench-set-");
        map = store.map("items", Item.class);
        keyPool = BenchSupport.keyPool(keys);
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
