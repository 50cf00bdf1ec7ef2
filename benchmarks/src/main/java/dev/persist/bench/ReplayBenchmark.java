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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Time to open a store whose log holds {@link #records} records: lock, header check, CRC check and parse of every
 * record, last-value-wins into per-namespace maps. Divide {@link #records} by the score for records/s (the report
 * does).
 *
 * <p>The log is built once per trial ({@code @Setup(Level.Trial)}): {@link #distinctKeys} keys of one namespace,
 * each written {@code records / distinctKeys} times (default 250,000 keys x 4 = 1,000,000 records, so 750,000 are
 * superseded on replay; also 1,000,000 distinct keys x 1), with {@link Item} JSON values, about 75 bytes per record.
 * The file was just written, so it is read from the page cache: this is CPU-bound replay, not a cold disk read.
 *
 * <ul>
 *   <li>{@code openRaw}: {@code Store.open} with no map registered: records are kept raw (as orphans), no value is
 *       decoded. The cost of the log format and replay alone.</li>
 *   <li>{@code openTyped}: the map is registered before {@code openLog}, so the live values are also decoded from
 *       JSON into {@link Item}s: what an application restart pays.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class ReplayBenchmark {
    @Param({"1000000"})
    public int records;

    @Param({"250000", "1000000"})
    public int distinctKeys;

    private Path dir;
    private Path log;
    private Store opened;

    @Setup(Level.Trial)
    public void buildLog() {
        if (records % distinctKeys != 0) {
            throw new IllegalArgumentException("records must be a multiple of distinctKeys");
        }
        dir = BenchSupport.freshDir("persist-bench-replay-");
        log = dir.resolve("replay.log");
        String[] keys = BenchSupport.keyPool(distinctKeys);
        int rounds = records / distinctKeys;
        try (Store store = Store.open(log, StoreOptions.defaults())) {
            PersistMap<String, Item> map = store.map("items", Item.class);
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < distinctKeys; i++) {
                    map.set(keys[i], new Item(i, "round " + round, i * 0.25 + round), Durability.ASYNC);
                }
                store.fsyncAll(); // one record per key per round: ASYNC coalesces only within a round
            }
            StoreStats s = store.stats();
            if (s.logRecords() != records) {
                throw new IllegalStateException("built " + s.logRecords() + " records, wanted " + records);
            }
        }
        try {
            System.out.printf("%nREPLAYLOG records=%d distinctKeys=%d bytes=%d%n", records, distinctKeys,
                    Files.size(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TearDown(Level.Iteration)
    public void closeOpened() {
        if (opened != null) {
            StoreStats s = opened.stats();
            opened.close();
            opened = null;
            if (s.logRecords() != records || s.liveKeys() != distinctKeys) {
                throw new IllegalStateException("replayed " + s.logRecords() + " records / " + s.liveKeys()
                        + " live keys, wanted " + records + " / " + distinctKeys);
            }
        }
    }

    @TearDown(Level.Trial)
    public void deleteLog() {
        BenchSupport.deleteRecursively(dir);
    }

    @Benchmark
    public Store openRaw() {
        opened = Store.open(log, StoreOptions.defaults());
        return opened;
    }

    @Benchmark
    public Store openTyped() {
        Store store = new Store(StoreOptions.defaults());
        store.map("items", Item.class);
        store.openLog(log);
        opened = store;
        return store;
    }
}
