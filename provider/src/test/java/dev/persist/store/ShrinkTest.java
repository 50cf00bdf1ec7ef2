package dev.persist.store;

import dev.persist.testkit.RecordingChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class ShrinkTest {
    @TempDir
    Path dir;

    @Test
    void shrinkKeepsOnlyTheLiveStateAndReopenEqualsBeforeClose() throws Exception {
        Path log = dir.resolve("s.log");
        Map<String, Integer> expected = new HashMap<>();
        Random rnd = new Random(7);
        long bytesAtClose;
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            for (int i = 0; i < 5000; i++) {
                String k = "k" + rnd.nextInt(200);
                Durability tier = Durability.values()[1 + rnd.nextInt(3)];
                if (rnd.nextInt(5) == 0) {
                    m.delete(k, tier);
                    expected.remove(k);
                } else {
                    m.set(k, i, tier);
                    expected.put(k, i);
                }
            }
            store.fsyncAll();
            long before = store.stats().logBytes();
            store.shrink();
            StoreStats s = store.stats();
            assertThat(s.logRecords()).isEqualTo(expected.size());
            assertThat(s.logBytes()).isLessThan(before);
            assertThat(s.shrinks()).isEqualTo(1);
            assertThat(Files.exists(Shrinker.tempFileOf(log))).isFalse();
            // writes after the swap go to the new file
            m.set("after", -1, Durability.FSYNC);
            expected.put("after", -1);
            bytesAtClose = store.stats().logBytes();
        }
        // while open, the last segment runs past its records (zeros written ahead of mapped appends); closed, the
        // files are exactly what the stats count
        assertThat(LogBytes.of(log)).isEqualTo(bytesAtClose);
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            Map<String, Integer> actual = new HashMap<>();
            m.forEach(actual::put);
            assertThat(actual).isEqualTo(expected);
            assertThat(store.stats().tornBytesTruncated()).isZero();
        }
    }

    @Test
    void shrinkRacingWritersLosesNoOperation() throws Exception {
        Path log = dir.resolve("race.log");
        int writers = 4;
        Map<String, Integer> lastAcked = new ConcurrentHashMap<>();
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(id);
                    int i = 0;
                    while (!stop.get()) {
                        // each writer owns its keys, so the last acknowledged value is well defined
                        String k = "w" + id + "-" + rnd.nextInt(50);
                        Durability tier = (i & 1) == 0 ? Durability.WRITE : Durability.ASYNC;
                        if (rnd.nextInt(6) == 0) {
                            m.delete(k, tier);
                            lastAcked.put(k, -1);
                        } else {
                            m.set(k, i, tier);
                            lastAcked.put(k, i);
                        }
                        i++;
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 15; i++) {
                store.shrink();
                Thread.sleep(5);
            }
            stop.set(true);
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            assertThat(store.stats().shrinks()).isEqualTo(15);
        }
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            lastAcked.forEach((k, v) -> {
                if (v == -1) {
                    assertThat(m.get(k)).as(k).isNull();
                } else {
                    assertThat(m.get(k)).as(k).isEqualTo(v);
                }
            });
        }
    }

    @Test
    void autoShrinkRunsWhenRecordsPerLiveKeyExceedTheRatio() throws Exception {
        Path log = dir.resolve("auto.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            for (int i = 0; i < 10; i++) {
                m.set("k" + i, i);
            }
            store.startAutoShrink(Duration.ofMillis(20), 3.0);
            Thread.sleep(200);
            assertThat(store.stats().shrinks()).as("10 records for 10 keys: no need").isZero();
        }
        // The 40 puts are made with no auto-shrink scheduled (a fresh store on the same log), so none can fire
        // half-way through them, which left 10 + the puts after it (17 records were seen). Then it is started.
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            for (int i = 0; i < 40; i++) {
                m.set("k" + (i % 10), i);
            }
            assertThat(store.stats().logRecords()).as("10 records, then 40 more").isEqualTo(50);
            assertThat(store.stats().shrinks()).isZero();
            store.startAutoShrink(Duration.ofMillis(20), 3.0);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (store.stats().shrinks() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(store.stats().shrinks()).isPositive();
            assertThat(store.stats().logRecords()).isEqualTo(10);
            // 10 records for 10 keys again: no second shrinking
            Thread.sleep(100);
            assertThat(store.stats().shrinks()).isEqualTo(1);
            store.stopAutoShrink();
            for (int i = 0; i < 10; i++) {
                assertThat(m.get("k" + i)).isEqualTo(30 + i);
            }
        }
    }

    @Test
    void leftoverShrinkFileFromACrashIsIgnoredAndRemoved() throws Exception {
        Path log = dir.resolve("left.log");
        try (Store store = Store.open(log)) {
            store.map("m", Codecs.utf8(), Codecs.utf8()).set("k", "v");
        }
        Files.write(Shrinker.tempFileOf(log), new byte[] {1, 2, 3});
        try (Store store = Store.open(log)) {
            assertThat(store.map("m", Codecs.utf8(), Codecs.utf8()).get("k")).isEqualTo("v");
            assertThat(Files.exists(Shrinker.tempFileOf(log))).isFalse();
        }
    }

    /**
     * A shrink writes its copies as it goes: they went to the log's pending buffer until the shrink ended (the
     * syncer skips its writes while a shrink runs), so a store whose live records outweighed the heap ran out of
     * memory shrinking (the 2M-entry benchmark set, 2.2 GB live, in 512 MB).
     */
    @Test
    void aShrinkWritesItsCopiesAsItGoesInsteadOfHoldingThemAll() throws Exception {
        Path log = dir.resolve("big.log");
        RecordingChannel.Recorder io = new RecordingChannel.Recorder();
        StoreOptions options = StoreOptions.defaults().syncInterval(Duration.ofHours(1))
                .diskNamespaces(ns -> ns.equals("d")).channelFactory(io.factory());
        String kilobyte = "x".repeat(1000);
        int diskEntries = 24_000;
        int memoryEntries = 12_000;
        try (Store store = Store.open(log, options)) {
            ConcurrentHashMap<String, String> front = new ConcurrentHashMap<>();
            PersistMap<String, String> d = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front)
                    .disk(1L << 30));
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < diskEntries; i++) {
                d.set("d" + i, i + kilobyte, Durability.WRITE);
            }
            for (int i = 0; i < memoryEntries; i++) {
                m.set("m" + i, i + kilobyte, Durability.WRITE);
            }
            front.clear(); // every value of d is on disk only
            io.mark("shrink begins");
            store.shrink();
            assertThat(largestWriteSince(io, "shrink begins")).as("the largest write of a shrink copying %d MB",
                    (diskEntries + memoryEntries) / 1000).isLessThanOrEqualTo(Shrinker.WRITE_EVERY_BYTES + 4096);
            assertThat(d.get("d" + (diskEntries - 1))).isEqualTo((diskEntries - 1) + kilobyte);
        }
        try (Store store = Store.open(log, options)) {
            PersistMap<String, String> d = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8())
                    .memory(new ConcurrentHashMap<>()).disk(1L << 30));
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            assertThat(d.size()).isEqualTo(diskEntries);
            assertThat(m.size()).isEqualTo(memoryEntries);
            assertThat(d.get("d7")).isEqualTo(7 + kilobyte);
            assertThat(m.get("m7")).isEqualTo(7 + kilobyte);
        }
    }

    /** @return the length of the largest write recorded after the mark {@code label} */
    private static long largestWriteSince(RecordingChannel.Recorder io, String label) {
        long largest = 0;
        boolean after = false;
        for (RecordingChannel.Event e : io.events()) {
            after |= e instanceof RecordingChannel.Mark m && m.label().equals(label);
            if (after && e instanceof RecordingChannel.Write w) {
                largest = Math.max(largest, w.length());
            }
        }
        return largest;
    }
}
