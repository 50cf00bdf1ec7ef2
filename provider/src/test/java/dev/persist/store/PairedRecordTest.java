package dev.persist.store;

import dev.persist.store.log.RecordFormat;
import dev.persist.store.log.SegmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A companion record and the change it accompanies are one pair in the log ({@link RecordFormat#PAIRED}): a write cut
 * between them loses both at the next open, never keeps the companion's record alone (write-behind would deliver, and
 * a cluster node would take as applied, a change the cache never held).
 */
class PairedRecordTest {
    @TempDir
    Path dir;

    private static PersistMap<String, String> strings(Store store, String name) {
        return store.map(name, Codecs.utf8(), Codecs.utf8());
    }

    /**
     * Writes three changes of key "a" to "main" ("v1".."v3" + {@code pad}), each with its companion record in "side"
     * ("owed-1".. + {@code pad}), at WRITE; returns the log's records.
     */
    private static List<LogFiles.LogRecord> writeThreeChanges(Path log, StoreOptions options, String pad)
            throws IOException {
        try (Store store = Store.open(log, options)) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            for (int n = 1; n <= 3; n++) {
                int v = n;
                main.update("a", u -> {
                    u.set("v" + v + pad);
                    u.setIn(side, "owed-" + v + pad);
                }, Durability.WRITE);
            }
        }
        List<LogFiles.LogRecord> records = new ArrayList<>();
        LogFiles.read(log, records::add);
        return records;
    }

    /** Three changes of key "a", each with its companion record, at WRITE; returns the log's records. */
    private List<LogFiles.LogRecord> threeChanges(Path log) throws IOException {
        List<LogFiles.LogRecord> records = writeThreeChanges(log, StoreOptions.defaults(), "");
        assertThat(records).extracting(r -> r.namespace() + " " + new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("side owed-1", "main v1", "side owed-2", "main v2", "side owed-3", "main v3");
        assertThat(records).extracting(LogFiles.LogRecord::paired)
                .as("the companion records, each the first of a pair")
                .containsExactly(true, false, true, false, true, false);
        return records;
    }

    private static void truncate(Path log, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private void assertSecondChangeIsTheLast(Path log, long companionOffset) throws IOException {
        try (Store store = Store.open(log)) {
            assertThat(strings(store, "side").get("a")).as("the companion of the cut change").isEqualTo("owed-2");
            assertThat(strings(store, "main").get("a")).isEqualTo("v2");
            assertThat(store.stats().tornBytesTruncated()).isPositive();
        }
        assertThat(Files.size(log)).as("cut where the pair starts").isEqualTo(companionOffset);
    }

    @Test
    void aWriteCutRightAfterAPairsFirstRecordLosesTheWholeChange() throws IOException {
        Path log = dir.resolve("boundary.log");
        List<LogFiles.LogRecord> records = threeChanges(log);
        LogFiles.LogRecord companion = records.get(4);
        truncate(log, companion.offset() + companion.size()); // the change's own record never reached the file
        assertSecondChangeIsTheLast(log, companion.offset());
    }

    @Test
    void aWriteCutInsideAPairsSecondRecordLosesTheWholeChange() throws IOException {
        Path log = dir.resolve("inside.log");
        List<LogFiles.LogRecord> records = threeChanges(log);
        LogFiles.LogRecord own = records.get(5);
        truncate(log, own.offset() + own.size() / 2);
        assertSecondChangeIsTheLast(log, records.get(4).offset());
    }

    @Test
    void aWholePairAndALoneCompanionRecordAreApplied() throws IOException {
        Path log = dir.resolve("whole.log");
        threeChanges(log);
        try (Store store = Store.open(log)) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            assertThat(side.get("a")).isEqualTo("owed-3");
            assertThat(main.get("a")).isEqualTo("v3");
            main.update("a", u -> u.deleteIn(side), Durability.WRITE); // logged alone: not a pair
            // a companion record written without the mark, as by versions before it, at the log's end
            store.writer().append(RecordFormat.encodeSet("side".getBytes(StandardCharsets.UTF_8),
                    "b".getBytes(StandardCharsets.UTF_8), "old-format".getBytes(StandardCharsets.UTF_8)));
        }
        try (Store store = Store.open(log)) {
            PersistMap<String, String> side = strings(store, "side");
            assertThat(side.get("a")).isNull();
            assertThat(side.get("b")).isEqualTo("old-format");
            assertThat(strings(store, "main").get("a")).isEqualTo("v3");
            assertThat(store.stats().tornBytesTruncated()).isZero();
        }
    }

    @Test
    void theMarkIsInTheCheckedBytesAndComesOffForARecordOnItsOwn() {
        byte[] record = RecordFormat.encodeSet(new byte[] {'n'}, new byte[] {'k'}, new byte[] {'v'});
        byte[] paired = RecordFormat.paired(record);
        RecordFormat.Record r = new RecordFormat.Record();
        assertThat(RecordFormat.check(paired, r)).isNull();
        assertThat(r.isPaired()).isTrue();
        assertThat(r.isDelete()).isFalse();
        assertThat(r.standaloneBytes()).isEqualTo(record);
        assertThat(RecordFormat.check(record, r)).isNull();
        assertThat(r.isPaired()).isFalse();
        assertThat(RecordFormat.unpaired(record)).isSameAs(record);
        byte[] delete = RecordFormat.paired(RecordFormat.encodeDelete(new byte[] {'n'}, new byte[] {'k'}));
        assertThat(RecordFormat.check(delete, r)).isNull();
        assertThat(r.isDelete()).isTrue();
        assertThat(r.isPaired()).isTrue();
    }

    @Test
    void verifyReportsAPairCutAfterItsFirstRecordAsTheTornTailOpenCuts() throws IOException {
        Path log = dir.resolve("verify.log");
        List<LogFiles.LogRecord> records = threeChanges(log);
        LogFiles.LogRecord companion = records.get(4);
        truncate(log, companion.offset() + companion.size());
        LogFiles.Verification v = LogFiles.verify(log);
        assertThat(v.records()).as("the whole pairs").isEqualTo(4);
        assertThat(v.damages()).singleElement().satisfies(d -> {
            assertThat(d.offset()).isEqualTo(companion.offset());
            assertThat(d.tail()).isTrue();
            assertThat(d.reason()).contains("first record of a pair");
        });
        assertThat(v.corrupt()).isFalse();
    }

    @Test
    void salvageLeavesOutAPairWhoseSecondRecordIsDamaged() throws Exception {
        Path log = dir.resolve("salvage.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            for (int v : new int[] {1, 3}) {
                main.update("a", u -> {
                    u.set("v" + v);
                    u.setIn(side, "owed-" + v);
                }, Durability.WRITE);
            }
            main.set("b", "after", Durability.WRITE);
        }
        dev.persist.testkit.FileDamage.flip(log, dev.persist.testkit.FileDamage.offsetOf(log, "v3"));
        Path salvaged = dir.resolve("salvaged.log");
        LogFiles.salvage(log, salvaged);
        try (Store store = Store.open(salvaged)) {
            assertThat(strings(store, "side").get("a")).as("the companion of the damaged change").isEqualTo("owed-1");
            PersistMap<String, String> main = strings(store, "main");
            assertThat(main.get("a")).isEqualTo("v1");
            assertThat(main.get("b")).isEqualTo("after");
        }
    }

    private static final String PAD = "x".repeat(300);
    /** Segments of 512 bytes: a pair of 300-byte values fills one. */
    private static final StoreOptions SMALL_SEGMENTS = StoreOptions.defaults().segmentBytes(512);

    /** Three changes of key "a" with their companion records, a segment each; returns the log's records. */
    private List<LogFiles.LogRecord> threePairsInThreeSegments(Path log) throws IOException {
        List<LogFiles.LogRecord> records = writeThreeChanges(log, SMALL_SEGMENTS, PAD);
        assertThat(records.get(3).segment()).isEqualTo(records.get(2).segment());
        assertThat(records.get(4).segment()).as("a later segment").isGreaterThan(records.get(2).segment());
        return records;
    }

    @Test
    void halfAPairAtTheEndOfASealedSegmentIsCorruptionForOpenAndVerifyAlike() throws IOException {
        Path log = dir.resolve("sealed.log");
        LogFiles.LogRecord companion = threePairsInThreeSegments(log).get(2); // the second pair's first record
        Path segment = SegmentFiles.pathOf(log, companion.segment());
        truncate(segment, companion.offset() + companion.size()); // no crash does this: the segment was fsynced whole

        LogFiles.Verification v = LogFiles.verify(log);
        assertThat(v.damages()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(segment);
            assertThat(d.offset()).isEqualTo(companion.offset());
            assertThat(d.tail()).as("not the last segment").isFalse();
        });
        assertThatThrownBy(() -> Store.open(log, SMALL_SEGMENTS).close())
                .isInstanceOf(CorruptLogException.class)
                .hasMessageContaining(segment.toString())
                .hasMessageContaining("offset " + companion.offset())
                .hasMessageContaining("first record of a pair")
                .hasMessageContaining("salvage");
        try (Store store = Store.open(log, SMALL_SEGMENTS.salvage(true))) {
            assertThat(strings(store, "side").get("a")).isEqualTo("owed-3" + PAD);
            assertThat(strings(store, "main").get("a")).isEqualTo("v3" + PAD);
            assertThat(store.stats().salvagedBytes()).isEqualTo(companion.size());
        }
    }

    @Test
    void salvageAtOpenCountsAPairWhoseSecondRecordIsDamagedFromItsFirst() throws IOException {
        Path log = dir.resolve("damaged.log");
        List<LogFiles.LogRecord> records = threePairsInThreeSegments(log);
        LogFiles.LogRecord companion = records.get(2);
        LogFiles.LogRecord own = records.get(3);
        Path segment = SegmentFiles.pathOf(log, own.segment());
        dev.persist.testkit.FileDamage.flip(segment, own.offset() + own.size() / 2);
        try (Store store = Store.open(log, SMALL_SEGMENTS.salvage(true))) {
            assertThat(strings(store, "main").get("a")).isEqualTo("v3" + PAD);
            assertThat(store.stats().salvagedBytes()).as("both records of the pair")
                    .isEqualTo(companion.size() + own.size());
        }
    }
}
