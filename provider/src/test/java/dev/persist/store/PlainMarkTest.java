package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.IndexHint;
import dev.persist.testkit.FileDamage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plain mark of a disk-backed map's index ({@link DeferredCodec#isPlain}): a blind update of a key memory does not
 * hold and whose record is marked plain sees the codec's stand-in and reads no record. That no record is read is
 * shown by damaging it first: a read would find the damage and count it in {@link StoreStats#damagedReads()}.
 */
class PlainMarkTest {
    @TempDir
    Path dir;

    /** What {@link Marking} hands a blind update: one object, compared by identity. */
    static final String STAND_IN = new String("(stand-in)");

    /** UTF-8 strings; those starting with "plain:" are plain. */
    static final class Marking implements DeferredCodec<String> {
        private final Codec<String> utf8 = Codecs.utf8();

        @Override
        public byte[] encode(String value) {
            return utf8.encode(value);
        }

        @Override
        public String decode(byte[] bytes) {
            return utf8.decode(bytes);
        }

        @Override
        public boolean isSettled(String value) {
            return true;
        }

        @Override
        public String settle(String value) {
            return value;
        }

        @Override
        public boolean isPlain(ByteBuffer encoded) {
            byte[] prefix = "plain:".getBytes(StandardCharsets.UTF_8);
            if (encoded.remaining() < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (encoded.get(encoded.position() + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String plainStandIn() {
            return STAND_IN;
        }
    }

    private final ConcurrentHashMap<String, String> front = new ConcurrentHashMap<>();

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).diskNamespaces("d"::equals);
    }

    private PersistMap<String, String> disk(Store store) {
        front.clear();
        return store.map(MapConfig.of("d", Codecs.utf8(), new Marking()).memory(front).disk(1L << 30));
    }

    /** Writes the keys with their values, then enough filler that damage to them leaves the index file trusted. */
    private Path written(String... keysAndValues) {
        Path log = dir.resolve("m.log");
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = disk(store);
            for (int i = 0; i < keysAndValues.length; i += 2) {
                d.set(keysAndValues[i], keysAndValues[i + 1]);
            }
            // the index file checks the last 64 KiB of the log it covers; the records damaged below are before them
            for (int i = 0; i < 1000; i++) {
                d.set("filler" + i, "f".repeat(100));
            }
        }
        return log;
    }

    /** Changes one byte of the first occurrence of {@code text} in the log (its last). */
    private static void damage(Path log, String text) throws Exception {
        FileDamage.flipIn(log, text, text.length() - 1);
    }

    /** Runs a blind update that sets {@code next} and returns what the updater saw as the current value. */
    private static String blindSet(PersistMap<String, String> d, String key, String next) {
        AtomicReference<String> seen = new AtomicReference<>();
        d.updateBlind(key, u -> {
            seen.set(u.value());
            u.set(next);
        }, Durability.WRITE);
        return seen.get();
    }

    @Test
    void aBlindUpdateOfAPlainKeyBeyondMemoryReadsNoRecord() throws Exception {
        Path log = written("a", "plain:value-of-a", "b", "plain:value-of-b");
        damage(log, "value-of-a");
        damage(log, "value-of-b");
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isTrue();
            PersistMap<String, String> d = disk(store);
            assertThat(blindSet(d, "a", "plain:new")).isSameAs(STAND_IN);
            assertThat(store.stats().damagedReads()).as("no record read").isZero();
            assertThat(front).as("written around the front").doesNotContainKey("a");
            assertThat(d.get("a")).isEqualTo("plain:new");

            // the control: an update that reads meets the damage of the other key
            AtomicReference<String> seen = new AtomicReference<>("unset");
            d.update("b", u -> seen.set(u.value()), Durability.WRITE);
            assertThat(seen.get()).isNull();
            assertThat(store.stats().damagedReads()).isEqualTo(1);
        }
    }

    @Test
    void aKeyNotMarkedPlainOrHeldInMemoryIsReadAsByUpdate() {
        Path log = written("a", "other-value", "b", "plain:b");
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = disk(store);
            assertThat(blindSet(d, "a", "x")).isEqualTo("other-value");
            assertThat(d.get("b")).isEqualTo("plain:b");
            assertThat(d.get("b")).isEqualTo("plain:b"); // read back twice: now in memory
            assertThat(front).containsKey("b");
            assertThat(blindSet(d, "b", "y")).isEqualTo("plain:b");
            assertThat(blindSet(d, "absent", "z")).isNull();
        }
    }

    @Test
    void theMarkIsThatOfTheKeysNewestRecordPendingOrWritten() {
        try (Store store = Store.open(dir.resolve("m.log"), options())) {
            PersistMap<String, String> d = disk(store);
            d.set("a", "plain:1", Durability.WRITE);
            d.set("a", "not-plain", Durability.WRITE);
            front.clear();
            assertThat(blindSet(d, "a", "plain:2")).isEqualTo("not-plain");
            d.set("b", "plain:1", Durability.WRITE);
            d.set("b", "pending", Durability.ASYNC); // not in the index until the syncer appends it
            front.clear();
            assertThat(blindSet(d, "b", "plain:3")).isEqualTo("pending");
            front.clear();
            assertThat(blindSet(d, "a", "plain:4")).isSameAs(STAND_IN);
        }
    }

    @Test
    void theIndexFileKeepsTheMarkAndAFullScanClearsIt() throws Exception {
        Path log = written("a", "plain:a", "b", "plain:b");
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isTrue();
            assertThat(blindSet(disk(store), "a", "plain:a2")).isSameAs(STAND_IN);
        }
        Files.delete(IndexHint.pathOf(log));
        try (Store store = Store.open(log, options())) {
            assertThat(store.openedFromIndex()).isFalse();
            PersistMap<String, String> d = disk(store);
            // a replay does not know the map's codec: every key starts unmarked, and is read once
            assertThat(blindSet(d, "b", "plain:b2")).isEqualTo("plain:b");
            front.clear();
            assertThat(blindSet(d, "b", "plain:b3")).isSameAs(STAND_IN);
        }
    }

    @Test
    void aShrinkCopiesTheMarkWithTheRecord() {
        Path log = dir.resolve("m.log");
        try (Store store = Store.open(log, options().segmentBytes(4096))) {
            PersistMap<String, String> d = disk(store);
            for (int i = 0; i < 200; i++) {
                d.set("k" + i, i % 2 == 0 ? "plain:" + i : "other:" + i);
            }
            store.shrink();
            DiskIndex index = d.diskIndex();
            for (int i = 0; i < 200; i++) {
                DiskIndex.Entry e = index.entry(("k" + i).getBytes(StandardCharsets.UTF_8));
                assertThat(DiskIndex.isPlain(e.location())).as("k" + i).isEqualTo(i % 2 == 0);
            }
            front.clear();
            assertThat(blindSet(d, "k10", "plain:x")).isSameAs(STAND_IN);
            assertThat(blindSet(d, "k11", "plain:y")).isEqualTo("other:11");
        }
    }

    @Test
    void theMarkIsTheTopBitAndLeavesPositionAndLengthAlone() {
        long position = DiskIndex.position(1023, DiskIndex.MAX_SEGMENT_OFFSET);
        long marked = DiskIndex.pack(position, 12345, true);
        assertThat(DiskIndex.isPlain(marked)).isTrue();
        assertThat(DiskIndex.isPlain(DiskIndex.pack(position, 12345, false))).isFalse();
        assertThat(DiskIndex.offset(marked)).isEqualTo(position);
        DiskIndex index = new DiskIndex();
        index.put(new byte[] {1}, position, 12345, true);
        DiskIndex.Entry e = index.entry(new byte[] {1});
        assertThat(index.length(e, e.location())).isEqualTo(12345);
        assertThat(index.liveBytes()).isEqualTo(12345);
    }
}
