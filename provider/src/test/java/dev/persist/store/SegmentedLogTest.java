package dev.persist.store;

import dev.persist.store.log.IndexHint;
import dev.persist.store.log.RecordFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The log as segment files ({@link StoreOptions#segmentBytes}): rolling, reopening, a log of one file from before
 * segments, shrinking by retiring the oldest segments, a crash in the middle of a retirement, damage in a sealed
 * segment and a torn tail in the last, disk-resident entries across segments.
 */
class SegmentedLogTest {
    private static final int SEGMENT = 4096;
    private static final String VALUE = "v".repeat(200);

    @TempDir
    Path dir;

    private final ConcurrentMap<String, String> front = new ConcurrentHashMap<>();

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).segmentBytes(SEGMENT)
                .diskNamespaces(ns -> ns.equals("d"));
    }

    private PersistMap<String, String> diskMap(Store store) {
        front.clear();
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front).disk(1L << 30));
    }

    private static PersistMap<String, String> heldMap(Store store) {
        return store.map("h", Codecs.utf8(), Codecs.utf8());
    }

    private static Map<String, String> contents(PersistMap<String, String> m) {
        Map<String, String> out = new HashMap<>();
        m.forEach(out::put);
        return out;
    }

    /** Every value read back from disk, not from the front. */
    private Map<String, String> readBack(PersistMap<String, String> m) {
        Map<String, String> out = new HashMap<>();
        for (java.util.Iterator<String> keys = m.keys(); keys.hasNext(); ) {
            String k = keys.next();
            front.clear();
            out.put(k, m.get(k));
        }
        return out;
    }

    @Test
    void appendsRollIntoNewSegmentsAndAReopenReplaysThemInOrder() throws Exception {
        Path log = dir.resolve("r.log");
        Map<String, String> expected = new HashMap<>();
        long bytesAtClose;
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> held = heldMap(store);
            for (int i = 0; i < 300; i++) {
                String k = "k" + i % 40;
                if (i % 7 == 0) {
                    held.delete(k);
                    expected.remove(k);
                } else {
                    held.set(k, VALUE + i);
                    expected.put(k, VALUE + i);
                }
            }
            bytesAtClose = store.stats().logBytes();
        }
        assertThat(LogBytes.of(log)).as("the files, closed (open, the last runs past its records)")
                .isEqualTo(bytesAtClose);
        List<Path> segments = LogFiles.segments(log);
        assertThat(segments.size()).isGreaterThan(10);
        assertThat(segments.get(0)).isEqualTo(log);
        assertThat(segments.get(1)).isEqualTo(dir.resolve("r.log.000001"));
        for (Path sealed : segments.subList(0, segments.size() - 1)) {
            // full at the segment size, never more than one record past it
            assertThat(Files.size(sealed)).isBetween((long) SEGMENT, (long) SEGMENT + 300);
        }
        try (Store store = Store.open(log, options())) {
            assertThat(contents(heldMap(store))).isEqualTo(expected);
            assertThat(store.stats().tornBytesTruncated()).isZero();
        }
        assertThat(LogFiles.verify(log).clean()).isTrue();
        assertThat(LogFiles.verify(log).records()).isEqualTo(300);
    }

    @Test
    void diskResidentEntriesAreReadAcrossSegmentsAfterRetirementAndAfterReopenWithAndWithoutTheIndexFile()
            throws Exception {
        Path log = dir.resolve("d.log");
        Map<String, String> expected = new HashMap<>();
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = diskMap(store);
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 60; i++) {
                    d.set("k" + i, VALUE + round + "-" + i);
                    expected.put("k" + i, VALUE + round + "-" + i);
                }
            }
            assertThat(LogFiles.segments(log).size()).isGreaterThan(5);
            assertThat(readBack(d)).isEqualTo(expected);
            store.shrink();
            assertThat(LogFiles.segments(log).get(0)).as("segment 0 is retired").isNotEqualTo(log);
            assertThat(Files.size(log)).as("segment 0 emptied, not deleted").isEqualTo(RecordFormat.HEADER_SIZE);
            assertThat(readBack(d)).isEqualTo(expected);
            d.set("k1", "after");
            expected.put("k1", "after");
        }
        assertThat(Files.exists(IndexHint.pathOf(log))).isTrue();
        Files.copy(IndexHint.pathOf(log), dir.resolve("kept.index"));
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isTrue();
            assertThat(readBack(diskMap(store))).isEqualTo(expected);
        }
        Files.delete(IndexHint.pathOf(log));
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isFalse();
            assertThat(readBack(diskMap(store))).isEqualTo(expected);
        }
    }

    /** Bytes of a log as a version before segments wrote it: one file, the same header and records. */
    private static void writeSingleFileLog(Path log, Map<String, String> entries) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(RecordFormat.header());
        for (Map.Entry<String, String> e : entries.entrySet()) {
            out.write(RecordFormat.encodeSet("d".getBytes(StandardCharsets.UTF_8),
                    e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue().getBytes(StandardCharsets.UTF_8)));
            out.write(RecordFormat.encodeSet("h".getBytes(StandardCharsets.UTF_8),
                    e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        Files.write(log, out.toByteArray());
    }

    @Test
    void aLogOfOneFileFromBeforeSegmentsOpensAndKeepsWorking() throws Exception {
        Path log = dir.resolve("legacy.log");
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            expected.put("k" + i, VALUE + i);
        }
        writeSingleFileLog(log, expected);
        // an index file of the version before segments (version 1) is not used
        Files.write(IndexHint.pathOf(log), new byte[] {'P', 'J', 'C', 'I', 'N', 'D', 'X', '\n', 0, 0, 0, 1});
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isFalse();
            PersistMap<String, String> d = diskMap(store);
            assertThat(readBack(d)).isEqualTo(expected);
            assertThat(contents(heldMap(store))).isEqualTo(expected);
            for (int i = 0; i < 50; i++) {
                d.set("k" + i, "new" + i);
                expected.put("k" + i, "new" + i);
            }
            assertThat(LogFiles.segments(log).size()).as("the one file is segment 0; new records roll on")
                    .isGreaterThan(1);
        }
        try (Store store = Store.open(log, options())) {
            assertThat(readBack(diskMap(store))).isEqualTo(expected);
        }
    }

    @Test
    void autoShrinkRetiresOnlyTheOldSegmentsWhoseGarbagePaysAndCopiesFarLessThanTheLiveData() throws Exception {
        Path log = dir.resolve("a.log");
        Map<String, String> expected = new HashMap<>();
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = diskMap(store);
            // old segments: keys written, then all written again (garbage)
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 40; i++) {
                    d.set("old" + i, VALUE + round);
                }
            }
            // then a lot of live data, in dense segments
            for (int i = 0; i < 400; i++) {
                d.set("live" + i, VALUE + i);
                expected.put("live" + i, VALUE + i);
            }
            for (int i = 0; i < 40; i++) {
                expected.put("old" + i, VALUE + 1);
            }
            store.fsyncAll();
            List<Path> before = LogFiles.segments(log);
            long liveBytes = d.diskIndex().liveBytes();
            long copied = store.autoShrink(3.0);
            List<Path> after = LogFiles.segments(log);
            assertThat(copied).as("bytes copied forward").isPositive().isLessThan(liveBytes / 5);
            int retired = before.size() - after.size() + 1; // plus the segment the copies went to
            assertThat(retired).as("segments retired").isBetween(2, before.size() / 3);
            // the retired ones are a prefix; every other segment file is still there, untouched
            assertThat(after.subList(0, after.size() - 1)).isEqualTo(before.subList(retired, before.size()));
            assertThat(readBack(d)).isEqualTo(expected);
            assertThat(store.autoShrink(3.0)).as("nothing left worth it").isZero();
        }
        try (Store store = Store.open(log, options())) {
            assertThat(readBack(diskMap(store))).isEqualTo(expected);
        }
    }

    @Test
    void autoShrinkOfKeysAllOverwrittenAlikeRetiresTheOldestSegmentsNotTheWholeLog() throws Exception {
        Path log = dir.resolve("u.log");
        Map<String, String> expected = new HashMap<>();
        java.util.Random random = new java.util.Random(42);
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = diskMap(store);
            int keys = 300;
            for (int i = 0; i < keys; i++) {
                d.set("k" + i, VALUE + i);
                expected.put("k" + i, VALUE + i);
            }
            // uniform overwrites until the log holds three records per key: the oldest segments hold the least
            for (int n = 0; n < 2 * keys; n++) {
                int i = random.nextInt(keys);
                d.set("k" + i, VALUE + "-" + n);
                expected.put("k" + i, VALUE + "-" + n);
            }
            store.fsyncAll();
            long liveBytes = d.diskIndex().liveBytes();
            long logBytes = store.stats().logBytes();
            assertThat(logBytes).as("three times the live bytes, about").isGreaterThan(liveBytes * 5 / 2);
            long copied = store.autoShrink(3.0);
            assertThat(copied).as("bytes copied forward: not every live record").isPositive()
                    .isLessThan(liveBytes / 2);
            assertThat(store.stats().logBytes()).as("the log back at about twice the live bytes")
                    .isLessThanOrEqualTo(liveBytes * 2 + 2L * SEGMENT);
            assertThat(readBack(d)).isEqualTo(expected);
        }
        try (Store store = Store.open(log, options())) {
            assertThat(readBack(diskMap(store))).isEqualTo(expected);
        }
    }

    /**
     * A crash after the copies are fsynced and before the retired segments are all gone: simulated by a file system
     * that fails the first delete of a numbered segment (so segment 0 is already emptied, the rest still there). The
     * log holds old records and their copies: it replays to the same state, and the next shrink retires the rest.
     */
    @Test
    void aCrashBetweenCopyingForwardAndDeletingRetiredSegmentsReopensToTheSameState() throws Exception {
        Path log = dir.resolve("c.log");
        java.util.concurrent.atomic.AtomicBoolean crash = new java.util.concurrent.atomic.AtomicBoolean();
        StoreFileSystem stopsAtDelete = new ForwardingFileSystem(StoreFileSystem.local()) {
            @Override
            public boolean deleteIfExists(Path file) throws IOException {
                if (crash.get() && file.getFileName().toString().matches("c\\.log\\.[0-9]{6}")) {
                    throw new IOException("power cut");
                }
                return delegate.deleteIfExists(file);
            }
        };
        Map<String, String> held = new HashMap<>();
        Map<String, String> disk = new HashMap<>();
        Store store = Store.open(log, options().fileSystem(stopsAtDelete));
        PersistMap<String, String> d = diskMap(store);
        PersistMap<String, String> h = heldMap(store);
        for (int i = 0; i < 200; i++) {
            String k = "k" + i % 30;
            if (i % 9 == 0) {
                d.delete(k);
                h.delete(k);
                disk.remove(k);
                held.remove(k);
            } else {
                d.set(k, VALUE + i);
                h.set(k, VALUE + i);
                disk.put(k, VALUE + i);
                held.put(k, VALUE + i);
            }
        }
        int segments = LogFiles.segments(log).size();
        crash.set(true);
        assertThatThrownBy(store::shrink).isInstanceOf(StoreFailedException.class);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);
        assertThat(Files.size(log)).isEqualTo(RecordFormat.HEADER_SIZE);
        assertThat(LogFiles.segments(log).size()).as("the retired segments but 0, and the copies")
                .isGreaterThanOrEqualTo(segments);
        try (Store reopened = Store.open(log, options())) {
            assertThat(readBack(diskMap(reopened))).isEqualTo(disk);
            assertThat(contents(heldMap(reopened))).isEqualTo(held);
            reopened.shrink();
            assertThat(LogFiles.segments(log).size()).isLessThan(segments / 2);
        }
        try (Store reopened = Store.open(log, options())) {
            assertThat(readBack(diskMap(reopened))).isEqualTo(disk);
            assertThat(contents(heldMap(reopened))).isEqualTo(held);
        }
    }

    private Path writtenLog(String name) throws IOException {
        Path log = dir.resolve(name);
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> h = heldMap(store);
            for (int i = 0; i < 100; i++) {
                h.set("k" + i, VALUE + i);
            }
        }
        assertThat(LogFiles.segments(log).size()).isGreaterThan(3);
        return log;
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
    }

    @Test
    void aTornTailOfTheLastSegmentIsCutOff() throws Exception {
        Path log = writtenLog("t.log");
        List<Path> segments = LogFiles.segments(log);
        Path last = segments.get(segments.size() - 1);
        long size = Files.size(last);
        Files.write(last, new byte[] {0, 0, 1, 7, 42, 42}, java.nio.file.StandardOpenOption.APPEND);
        try (Store store = Store.open(log, options())) {
            assertThat(store.stats().tornBytesTruncated()).isEqualTo(6);
            assertThat(heldMap(store).size()).isEqualTo(100);
        }
        assertThat(Files.size(last)).isEqualTo(size);
    }

    @Test
    void damageInASealedSegmentIsRefusedEvenAtItsEndAndSalvagedByTheTool() throws Exception {
        Path log = writtenLog("s.log");
        Path sealed = LogFiles.segments(log).get(1);
        // cut off the end of a sealed segment: in the last segment a torn tail, here corruption
        long size = Files.size(sealed);
        try (RandomAccessFile f = new RandomAccessFile(sealed.toFile(), "rw")) {
            f.setLength(size - 5);
        }
        assertThatThrownBy(() -> Store.open(log, options()).close()).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining(sealed.toString()).hasMessageContaining("not the last segment");
        LogFiles.Verification v = LogFiles.verify(log);
        assertThat(v.corrupt()).isTrue();
        assertThat(v.damages()).singleElement().satisfies(dmg -> {
            assertThat(dmg.file()).isEqualTo(sealed);
            assertThat(dmg.tail()).isFalse();
        });
        Path salvaged = dir.resolve("salvaged.log");
        LogFiles.salvage(log, salvaged);
        try (Store store = Store.open(salvaged, options())) {
            assertThat(heldMap(store).size()).isEqualTo(99);
        }
        // a flipped byte in the middle of a sealed segment
        Path other = LogFiles.segments(log).get(2);
        flipByte(other, RecordFormat.HEADER_SIZE + 40);
        assertThatThrownBy(() -> Store.open(log, options()).close()).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining(sealed.toString());
        // salvage at open keeps every valid record and retires the damaged segments
        try (Store store = Store.open(log, options().salvage(true))) {
            assertThat(store.stats().salvagedBytes()).isPositive();
            assertThat(heldMap(store).size()).isBetween(90, 99);
            assertThat(store.stats().shrinks()).isEqualTo(1);
        }
        try (Store store = Store.open(log, options())) {
            assertThat(heldMap(store).size()).isBetween(90, 99);
        }
    }

    @Test
    void diskEvictionDeletesTheOldestRecordsAcrossSegments() throws Exception {
        Path log = dir.resolve("e.log");
        List<String> evicted = new CopyOnWriteArrayList<>();
        try (Store store = Store.open(log, options())) {
            int record = RecordFormat.encodeSet("d".getBytes(StandardCharsets.UTF_8), "k000".getBytes(
                    StandardCharsets.UTF_8), VALUE.getBytes(StandardCharsets.UTF_8)).length;
            PersistMap<String, String> d = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front)
                    .disk(100L * record).onDiskEviction(evicted::add));
            for (int i = 0; i < 100; i++) {
                d.set(String.format("k%03d", i), VALUE);
            }
            // retire the oldest segments: their records are copied forward, and are then the newest
            long lastRetired = LogFiles.segments(log).size() / 2 - 1;
            java.util.Set<String> copied = new java.util.TreeSet<>();
            LogFiles.read(log, r -> {
                if (r.segment() <= lastRetired) {
                    copied.add(r.keyAsString());
                }
            });
            store.shrinkUpTo(lastRetired);
            for (int i = 100; i < 130; i++) {
                d.set(String.format("k%03d", i), VALUE);
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (d.size() > 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(copied).isNotEmpty();
            assertThat(evicted).isNotEmpty();
            // the oldest records in the log are those of the keys after the retired prefix, in write order: not the
            // copies of the retired ones (now the newest but for what came after), nor the latest keys
            List<String> notCopied = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String k = String.format("k%03d", i);
                if (!copied.contains(k)) {
                    notCopied.add(k);
                }
            }
            List<String> order = new ArrayList<>(evicted);
            order.sort(null);
            assertThat(order).doesNotContainAnyElementsOf(copied);
            assertThat(order).isEqualTo(notCopied.subList(0, order.size()));
        }
    }

    @Test
    void theSegmentSizeIsChecked() {
        assertThatThrownBy(() -> StoreOptions.defaults().segmentBytes(100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segmentBytes");
        assertThatThrownBy(() -> StoreOptions.defaults().segmentBytes(StoreOptions.MAX_SEGMENT_BYTES + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
