package dev.persist.store;

import dev.persist.store.log.IndexHint;
import dev.persist.store.log.RecordFormat;
import dev.persist.testkit.FileDamage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Damage to disk-resident records and to the index file: a damaged record is never returned as a value, and an index
 * file that is torn, damaged or describes another log is not used.
 */
class DiskCorruptionTest {
    @TempDir
    Path dir;

    private final ConcurrentHashMap<String, String> front = new ConcurrentHashMap<>();

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).diskNamespaces("d"::equals);
    }

    private PersistMap<String, String> disk(Store store) {
        front.clear();
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front).disk(1L << 30));
    }

    /** Writes k0..k99 with values v0..v99 and closes (an index file is written). */
    private Path written() {
        Path log = dir.resolve("c.log");
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = disk(store);
            for (int i = 0; i < 100; i++) {
                d.set("k" + i, "value-" + i + "-" + "x".repeat(40));
            }
            // more than the 64 KiB at the end of the covered log whose checksum the index file holds: damage to
            // the k records then leaves the index file trusted, as damage found long after it was written would
            for (int i = 0; i < 1000; i++) {
                d.set("filler" + i, "f".repeat(100));
            }
        }
        return log;
    }

    private static long offsetOf(Path log, String text) throws Exception {
        return FileDamage.offsetOf(log, text);
    }

    private static void flip(Path file, long offset) throws Exception {
        FileDamage.flip(file, offset);
    }

    private Map<String, String> contents(PersistMap<String, String> d) {
        Map<String, String> out = new HashMap<>();
        d.forEach(out::put);
        return out;
    }

    @Test
    void aCorruptedByteInADiskResidentRecordIsAMissNeverAValue() throws Exception {
        Path log = written();
        flip(log, offsetOf(log, "value-42-") + 3);
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).as("the index file spares the scan that would find it").isTrue();
            PersistMap<String, String> d = disk(store);
            assertThat(d.get("k42")).isNull();
            assertThat(store.stats().damagedReads()).isEqualTo(1);
            assertThat(d.containsKey("k42")).as("dropped").isFalse();
            assertThat(d.get("k41")).startsWith("value-41-");
            assertThat(d.size()).isEqualTo(1099);
        }
        // the damaged bytes are still in the log: a full scan refuses them in the middle
        Path copy = dir.resolve("copy.log");
        Files.copy(log, copy);
        assertThatThrownBy(() -> Store.open(copy, options())).isInstanceOf(CorruptLogException.class);
        // a shrink skips them (the entry was dropped already), and the log is clean again
        try (Store store = Store.open(log, options())) {
            store.shrink();
            PersistMap<String, String> d = disk(store);
            assertThat(d.get("k43")).startsWith("value-43-");
        }
        Files.delete(IndexHint.pathOf(log));
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = disk(store);
            assertThat(d.get("k42")).isNull();
            assertThat(d.size()).isEqualTo(1099);
        }
    }

    @Test
    void salvageDropsADiskResidentEntryWhoseRecordIsDamaged() throws Exception {
        Path log = written();
        flip(log, offsetOf(log, "value-42-") + 3);
        Files.delete(IndexHint.pathOf(log));
        try (Store store = Store.open(log, options().salvage(true))) {
            assertThat(store.stats().salvagedBytes()).isPositive();
            PersistMap<String, String> d = disk(store);
            assertThat(d.get("k42")).isNull();
            assertThat(d.get("k41")).startsWith("value-41-");
            assertThat(d.size()).isEqualTo(1099);
        }
        try (Store store = Store.open(log, options())) {
            assertThat(disk(store).size()).isEqualTo(1099);
        }
    }

    @Test
    void aRecordThatIsNotTheKeysIsNotReturnedEither() throws Exception {
        Path log = written();
        // the index points k7 at another key's record: its checksums hold, the key does not
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = disk(store);
            var index = d.diskIndex();
            var e8 = index.entry("k8".getBytes(StandardCharsets.UTF_8));
            index.put("k7".getBytes(StandardCharsets.UTF_8), dev.persist.store.log.DiskIndex.offset(e8.location()),
                    index.length(e8, e8.location()));
            assertThat(d.get("k7")).isNull();
            assertThat(store.stats().damagedReads()).isEqualTo(1);
            assertThat(d.get("k8")).startsWith("value-8-");
        }
    }

    @Test
    void aTornOrDamagedIndexFileIsNotUsed() throws Exception {
        Path log = written();
        Path index = IndexHint.pathOf(log);
        Path good = dir.resolve("good.index");
        Files.copy(index, good);
        long size = Files.size(index);
        // torn: cut at the end, in the middle; damaged: a byte of the header, of an entry
        for (String damage : new String[] {"cut-end", "cut-middle", "flip-header", "flip-entry"}) {
            Files.copy(good, index, StandardCopyOption.REPLACE_EXISTING);
            switch (damage) {
                case "cut-end" -> truncate(index, size - 3);
                case "cut-middle" -> truncate(index, size / 2);
                case "flip-header" -> flip(index, 20);
                default -> flip(index, offsetOf(index, "filler500") + 2); // a key's byte: structure intact
            }
            try (Store store = Store.open(log, options())) {
                assertThat(store.openedFromIndex()).as(damage).isFalse();
                PersistMap<String, String> d = disk(store);
                assertThat(d.size()).as(damage).isEqualTo(1100);
                assertThat(d.get("k99")).as(damage).startsWith("value-99-");
                assertThat(d.get("filler500")).as(damage).isNotNull();
            }
        }
        Files.copy(good, index, StandardCopyOption.REPLACE_EXISTING);
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).as("the undamaged file").isTrue();
        }
    }

    @Test
    void anIndexFileOfAnotherStateOfTheLogIsNotUsed() throws Exception {
        Path log = written();
        Path index = IndexHint.pathOf(log);
        Path old = dir.resolve("old.index");
        Files.copy(index, old);
        long covered = Files.size(log);
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = disk(store);
            for (int i = 0; i < 100; i += 2) {
                d.set("k" + i, "rewritten-" + i);
            }
            store.shrink(); // retires segment 0, which the old index file covers: its places mean nothing now
            Path active = LogFiles.segments(log).get(LogFiles.segments(log).size() - 1);
            while (Files.size(active) <= covered) { // the new segment as long as the old file covered
                d.set("grow" + Files.size(active), "g".repeat(500));
            }
        }
        Files.copy(old, index, StandardCopyOption.REPLACE_EXISTING);
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isFalse();
            PersistMap<String, String> d = disk(store);
            assertThat(d.get("k0")).isEqualTo("rewritten-0");
            assertThat(d.get("k1")).startsWith("value-1-");
            assertThat(d.get("k3")).startsWith("value-3-");
            assertThat(store.stats().damagedReads()).isZero();
        }
        // a log cut shorter than the index file covers (a restored backup, a torn tail truncated)
        try (Store store = Store.open(log, options())) {
            disk(store).set("late", "x");
        }
        Path last = LogFiles.segments(log).get(LogFiles.segments(log).size() - 1);
        long lateCovered = Files.size(last);
        try (Store store = Store.open(log, options())) {
            disk(store).set("later", "y");
            store.fsyncAll();
            Files.copy(index, dir.resolve("covering.index"), StandardCopyOption.REPLACE_EXISTING);
        }
        truncate(last, lateCovered - 1);
        Files.copy(dir.resolve("covering.index"), index, StandardCopyOption.REPLACE_EXISTING);
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isFalse();
            assertThat(store.stats().tornBytesTruncated()).isPositive();
            assertThat(disk(store).get("k3")).startsWith("value-3-");
        }
    }

    @Test
    void aTornTailAfterTheIndexFileIsTruncatedAsWithoutIt() throws Exception {
        Path log = written();
        byte[] record = RecordFormat.encodeSet("d".getBytes(StandardCharsets.UTF_8),
                "torn".getBytes(StandardCharsets.UTF_8), "half".getBytes(StandardCharsets.UTF_8));
        Files.write(log, java.util.Arrays.copyOf(record, record.length - 2), java.nio.file.StandardOpenOption.APPEND);
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isTrue();
            assertThat(store.stats().tornBytesTruncated()).isEqualTo(record.length - 2);
            PersistMap<String, String> d = disk(store);
            assertThat(d.get("torn")).isNull();
            assertThat(contents(d)).hasSize(1100);
        }
    }

    private static void truncate(Path file, long size) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }
}
