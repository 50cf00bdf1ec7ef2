package dev.persist.store;

import dev.persist.store.log.IndexHint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Disk-backed maps ({@link MapConfig#disk}): entries beyond memory stay in the log and are read back on demand; a
 * shrink moves their index entries; a reopen reads the index file instead of every value; the bound evicts the
 * oldest records.
 */
class DiskMapTest {
    @TempDir
    Path dir;

    private final ConcurrentMap<String, String> front = new ConcurrentHashMap<>();

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).diskNamespaces(ns -> ns.equals("d"));
    }

    private PersistMap<String, String> diskMap(Store store) {
        front.clear();
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front).disk(1L << 30));
    }

    private static Map<String, String> contents(PersistMap<String, String> m) {
        Map<String, String> out = new HashMap<>();
        m.forEach(out::put);
        return out;
    }

    @Test
    void aValueDroppedFromMemoryIsReadBackFromTheLogAndPutInMemory() {
        try (Store store = Store.open(dir.resolve("a.log"), options())) {
            PersistMap<String, String> m = diskMap(store);
            m.set("k1", "v1");
            m.set("k2", "v2", Durability.ASYNC); // not yet in the log: read from its pending record
            front.clear(); // as a bounded memory drops entries: the store is not told
            assertThat(m.get("k1")).isEqualTo("v1");
            assertThat(m.get("k1")).isEqualTo("v1"); // read back again: kept (see SecondReadAdmission)
            assertThat(front).containsEntry("k1", "v1");
            assertThat(m.get("k2")).isEqualTo("v2");
            assertThat(m.containsKey("k2")).isTrue();
            assertThat(m.size()).isEqualTo(2);
            front.clear();
            assertThat(m.peek("k1")).isEqualTo("v1");
            assertThat(front).doesNotContainKey("k1");
            assertThat(m.delete("k1")).isTrue();
            assertThat(m.get("k1")).isNull();
            assertThat(m.update("k2", u -> u.set(u.value() + "!"))).isEqualTo("v2!");
            front.clear();
            assertThat(m.get("k2")).isEqualTo("v2!");
        }
    }

    @Test
    void aWriteOfAKeyMemoryDoesNotHoldGoesToTheLogOnlyAndOneItHoldsIsUpdatedThere() {
        try (Store store = Store.open(dir.resolve("w.log"), options())) {
            PersistMap<String, String> m = diskMap(store);
            m.set("cold", "v1");
            m.update("cold2", u -> u.set("v1"));
            assertThat(front).isEmpty(); // written around memory
            assertThat(m.get("cold")).isEqualTo("v1");
            assertThat(m.get("cold")).isEqualTo("v1"); // read back again, and now kept
            assertThat(front).containsEntry("cold", "v1");
            m.set("cold", "v2");
            m.update("cold", u -> u.set(u.value() + "!"));
            assertThat(front).containsEntry("cold", "v2!"); // held, so updated in memory
            m.set("cold2", "v2");
            assertThat(front).doesNotContainKey("cold2");
            assertThat(m.get("cold2")).isEqualTo("v2");
        }
    }

    @Test
    void aReadRacingWritesOfItsKeyNeverKeepsAnOlderValueInMemory() throws Exception {
        try (Store store = Store.open(dir.resolve("r.log"), options())) {
            PersistMap<String, String> m = diskMap(store);
            int keys = 8;
            for (int k = 0; k < keys; k++) {
                m.set("k" + k, "0");
            }
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<String> stale = new java.util.concurrent.atomic.AtomicReference<>();
            int[] written = new int[keys];
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> { // the writer: versions only grow
                for (int v = 1; v <= 3000; v++) {
                    int k = v % keys;
                    m.set("k" + k, Integer.toString(v), v % 3 == 0 ? Durability.ASYNC : Durability.WRITE);
                    written[k] = v;
                }
                stop.set(true);
            }));
            threads.add(new Thread(() -> { // a bounded front dropping entries on its own
                while (!stop.get()) {
                    front.clear();
                    Thread.onSpinWait();
                }
            }));
            for (int t = 0; t < 3; t++) {
                threads.add(new Thread(() -> { // readers: what one has seen, no later read may go back on
                    int[] seen = new int[keys];
                    while (!stop.get()) {
                        for (int k = 0; k < keys; k++) {
                            int v = Integer.parseInt(m.get("k" + k));
                            if (v < seen[k]) {
                                stale.compareAndSet(null, "k" + k + ": read " + v + " after " + seen[k]);
                            }
                            seen[k] = v;
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(stale.get()).isNull();
            for (int k = 0; k < keys; k++) {
                assertThat(m.get("k" + k)).isEqualTo(Integer.toString(written[k])); // from memory if it is there
            }
        }
    }

    @Test
    void reopenWithoutTheIndexFileScansTheLogAndWithItReadsOnlyWhatFollows() throws Exception {
        Path log = dir.resolve("b.log");
        Map<String, String> expected = new HashMap<>();
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> m = diskMap(store);
            PersistMap<String, String> held = store.map("h", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < 500; i++) {
                m.set("k" + i, "v" + i);
                expected.put("k" + i, "v" + i);
            }
            m.delete("k7");
            expected.remove("k7");
            held.set("x", "y");
        }
        assertThat(Files.exists(IndexHint.pathOf(log))).isTrue();
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isTrue();
            PersistMap<String, String> m = diskMap(store);
            assertThat(front).isEmpty(); // nothing was read into memory at open
            assertThat(contents(m)).isEqualTo(expected);
            assertThat(store.map("h", Codecs.utf8(), Codecs.utf8()).get("x")).isEqualTo("y");
            m.set("after", "index");
            expected.put("after", "index");
            store.writer().syncAll();
            Files.copy(IndexHint.pathOf(log), dir.resolve("kept.index"));
            // a crash now: no new index file; the next open uses the old one and replays what follows it
        }
        Files.copy(dir.resolve("kept.index"), IndexHint.pathOf(log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long recordsFromIndex;
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isTrue();
            recordsFromIndex = store.stats().logRecords();
            assertThat(contents(diskMap(store))).isEqualTo(expected);
        }
        Files.delete(IndexHint.pathOf(log));
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isFalse();
            // the index file's count and the records replayed after it are the log's records, each counted once:
            // an open that replayed the covered records again would count them twice
            assertThat(store.stats().logRecords()).isEqualTo(recordsFromIndex);
            assertThat(contents(diskMap(store))).isEqualTo(expected);
        }
    }

    @Test
    void shrinkCopiesDiskRecordsInLogOrderAndMovesTheIndex() throws Exception {
        Path log = dir.resolve("c.log");
        Map<String, String> expected = new HashMap<>();
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> m = diskMap(store);
            PersistMap<String, String> held = store.map("h", Codecs.utf8(), Codecs.utf8());
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 300; i++) {
                    m.set("k" + i, "v" + round + "-" + i);
                    expected.put("k" + i, "v" + round + "-" + i);
                }
            }
            held.set("x", "y");
            long before = store.stats().logBytes();
            store.shrink();
            assertThat(store.stats().logBytes()).isLessThan(before / 2);
            assertThat(store.stats().logRecords()).isEqualTo(301);
            front.clear();
            assertThat(contents(m)).isEqualTo(expected);
            m.set("k1", "after");
            expected.put("k1", "after");
            front.clear();
            assertThat(m.get("k1")).isEqualTo("after");
            assertThat(Files.exists(IndexHint.pathOf(log))).isTrue();
            store.writer().syncAll();
            Files.copy(IndexHint.pathOf(log), dir.resolve("shrink.index"));
        }
        // the index file the shrink wrote, with the records after it replayed
        Files.copy(dir.resolve("shrink.index"), IndexHint.pathOf(log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isTrue();
            assertThat(contents(diskMap(store))).isEqualTo(expected);
            assertThat(store.map("h", Codecs.utf8(), Codecs.utf8()).get("x")).isEqualTo("y");
        }
    }

    @Test
    void theBoundEvictsTheOldestRecordsAndLogsTheirDeletes() throws Exception {
        Path log = dir.resolve("e.log");
        List<String> evicted = new CopyOnWriteArrayList<>();
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front)
                    .disk(20_000).onDiskEviction(evicted::add));
            String value = "x".repeat(100);
            for (int i = 0; i < 400; i++) {
                m.set(String.format("k%03d", i), value);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (m.diskIndex().liveBytes() > 20_000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(m.diskIndex().liveBytes()).isLessThanOrEqualTo(20_000);
            assertThat(evicted).isNotEmpty().contains("k000", "k100").doesNotContain("k399");
            assertThat(m.get("k000")).isNull();
            assertThat(m.get("k399")).isEqualTo(value);
            assertThat(m.size()).isEqualTo(400 - evicted.size());
        }
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> m = diskMap(store);
            assertThat(m.get("k000")).isNull();
            assertThat(m.size()).isEqualTo(400 - evicted.size());
        }
    }

    @Test
    void theBoundSparesTheKeysMemoryHoldsUnlessTheyAloneExceedIt() throws Exception {
        List<String> evicted = new CopyOnWriteArrayList<>();
        try (Store store = Store.open(dir.resolve("h.log"), options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front)
                    .disk(20_000).onDiskEviction(evicted::add));
            String value = "x".repeat(100);
            for (int i = 0; i < 400; i++) {
                String key = String.format("k%03d", i);
                m.set(key, value); // a disk-backed map writes around memory
                if (i < 10) {
                    front.put(key, value); // as memory keeps what is read: k000-k009 only
                }
            }
            awaitWithinBound(m, 20_000);
            assertThat(evicted).as("the oldest keys outside memory").contains("k010", "k050")
                    .doesNotContain("k000", "k005", "k009", "k399");
            for (int i = 0; i < 10; i++) {
                assertThat(m.get(String.format("k%03d", i))).isEqualTo(value);
            }

            // memory holding more than the bound allows: the oldest go all the same, held or not
            evicted.clear();
            for (int i = 400; i < 800; i++) {
                String key = String.format("k%03d", i);
                m.set(key, value);
                front.put(key, value); // memory holds every one of them
            }
            awaitWithinBound(m, 20_000);
            assertThat(evicted).contains("k000", "k400");
        }
    }

    private static void awaitWithinBound(PersistMap<String, String> m, long bound) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (m.diskIndex().liveBytes() > bound && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(m.diskIndex().liveBytes()).isLessThanOrEqualTo(bound);
    }

    @Test
    void detachKeepsTheIndexAndAMapHeldInMemoryReadsEveryValueBack() {
        Path log = dir.resolve("f.log");
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> m = diskMap(store);
            m.set("a", "1");
            m.set("b", "2");
            m.close();
            assertThat(store.orphanCount("d")).isEqualTo(2);
            assertThat(store.orphan("d", "a", Codecs.utf8())).isEqualTo("1");
            PersistMap<String, String> again = diskMap(store);
            assertThat(again.get("b")).isEqualTo("2");
        }
        try (Store store = Store.open(log, options())) {
            // the same namespace registered without disk: every value is read into memory
            PersistMap<String, String> held = store.map("d", Codecs.utf8(), Codecs.utf8());
            assertThat(contents(held)).isEqualTo(Map.of("a", "1", "b", "2"));
        }
        List<String> namespaces = new ArrayList<>();
        try (Store store = Store.open(log, options().diskNamespaces(ns -> false))) {
            namespaces.addAll(store.orphanNamespaces());
            // values held in memory at open, then registered as disk-backed: written again to have a place
            PersistMap<String, String> m = diskMap(store);
            front.clear();
            assertThat(m.get("a")).isEqualTo("1");
        }
        assertThat(namespaces).contains("d");
    }
}
