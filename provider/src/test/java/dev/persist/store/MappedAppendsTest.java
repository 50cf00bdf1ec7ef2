package dev.persist.store;

import dev.persist.testkit.FaultyChannel;
import dev.persist.testkit.ForwardingChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Records are appended through a read-write mapping of the last segment's end, which the file reaches with zeros
 * written ahead: the copy is the file's at once (what a {@code kill -9} leaves opens with every acknowledged change,
 * the zeros cut as a torn tail), a sealed segment and a closed log are exactly their records, a disk without room for
 * the zeros is met where a write would meet it, and a region that cannot be mapped is written with the channel.
 */
class MappedAppendsTest {
    private static final int WINDOW = 1 << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void linuxOnly() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "appends are mapped on Linux only");
    }

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1));
    }

    private static String value(int i) {
        return i + ":" + "v".repeat(500);
    }

    private static PersistMap<String, String> map(Store store) {
        return store.map("m", Codecs.utf8(), Codecs.utf8());
    }

    private static void put(PersistMap<String, String> m, int from, int to) {
        for (int i = from; i < to; i++) {
            m.set("k" + i, value(i), Durability.WRITE);
        }
    }

    private static void assertValues(PersistMap<String, String> m, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(m.get("k" + i)).as("k" + i).isEqualTo(value(i));
        }
    }

    /** @return this process's read-write shared mappings of files under {@code under} */
    private static List<String> writableMappings(Path under) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains(under.toString()) && line.contains(" rw-s ")) {
                out.add(line);
            }
        }
        return out;
    }

    private static Path lastSegment(Path log) throws IOException {
        List<Path> segments = LogFiles.segments(log);
        return segments.get(segments.size() - 1);
    }

    @Test
    void recordsAreCopiedIntoAMappingOfTheLastSegmentsEndWhichZerosExtend() throws Exception {
        Path log = dir.resolve("a.log");
        try (Store store = Store.open(log, options())) {
            put(map(store), 0, 50);
            assertThat(writableMappings(dir)).as("the last segment's end mapped read-write").hasSize(1);
            assertThat(Files.size(log)).as("the file extended with zeros past the window (the helper, maybe further)")
                    .isBetween((long) WINDOW, 4L * WINDOW);
            assertThat(store.stats().logBytes()).as("records").isLessThan(50_000);
        }
        assertThat(writableMappings(dir)).as("released at close").isEmpty();
    }

    @Test
    void aHelperExtendsTheFileAheadOfTheMappedWindow() throws Exception {
        Path log = dir.resolve("h.log");
        try (Store store = Store.open(log, options())) {
            put(map(store), 0, 10);
            // the first window is extended in line; the next three by the store's helper thread, in the background
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.size(log) < 4L * WINDOW && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(Files.size(log)).as("extended three windows past the mapped one").isEqualTo(4L * WINDOW);
            byte[] bytes = Files.readAllBytes(log);
            long records = store.stats().logBytes();
            for (long i = records; i < bytes.length; i++) {
                if (bytes[(int) i] != 0) {
                    throw new AssertionError("byte " + i + " past the records is not zero");
                }
            }
        }
        assertThat(Files.size(log)).as("cut at close").isLessThan(WINDOW);
    }

    /**
     * Puts {@code count} values, then copies the log while the store is open: the file as the page cache holds it,
     * what the process's death leaves (the mapping's copies too).
     *
     * @return the bytes of the records in it
     */
    private static long putAndCopyWhileOpen(Path log, Path copy, int count) throws IOException {
        try (Store store = Store.open(log, options())) {
            put(map(store), 0, count);
            long records = store.stats().logBytes();
            Files.copy(log, copy);
            return records;
        }
    }

    @Test
    void whatAKillLeavesOpensWithEveryAcknowledgedChangeAndTheZerosCutAsATornTail() throws Exception {
        Path log = dir.resolve("k.log");
        Path copy = Files.createDirectories(dir.resolve("after-kill")).resolve("k.log");
        long records = putAndCopyWhileOpen(log, copy, 200);
        long copied = Files.size(copy);
        assertThat(copied).as("records and zeros").isGreaterThanOrEqualTo(WINDOW);
        try (Store reopened = Store.open(copy, options())) {
            assertValues(map(reopened), 200);
            assertThat(reopened.stats().tornBytesTruncated()).as("the zeros after the last record")
                    .isEqualTo(copied - records);
        }
        assertThat(Files.size(copy)).isEqualTo(records);
    }

    /** The store's log messages at open, with their levels, while open. */
    private static final class OpenMessages implements AutoCloseable {
        final List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.logging.Logger logger = java.util.logging.Logger.getLogger(Store.class.getName());
        private final java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        OpenMessages() {
            logger.addHandler(handler);
        }

        /** @return the level of the one message that contains {@code text} */
        java.util.logging.Level levelOf(String text) {
            List<java.util.logging.Level> levels = records.stream().filter(r -> r.getMessage().contains(text))
                    .map(java.util.logging.LogRecord::getLevel).toList();
            assertThat(levels).as("messages containing '%s'", text).hasSize(1);
            return levels.get(0);
        }

        @Override
        public void close() {
            logger.removeHandler(handler);
        }
    }

    @Test
    void zerosCutAfterAKillAreNoWarningButATornRecordBeforeThemIs() throws Exception {
        Path log = dir.resolve("w.log");
        Path zerosOnly = Files.createDirectories(dir.resolve("zeros")).resolve("w.log");
        Path tornRecord = Files.createDirectories(dir.resolve("torn")).resolve("w.log");
        long records = putAndCopyWhileOpen(log, zerosOnly, 50);
        // the same, with the start of a record that never got its bytes: its length, then zeros
        byte[] torn = Files.readAllBytes(zerosOnly);
        torn[(int) records + 3] = 40;
        Files.write(tornRecord, torn);

        try (OpenMessages messages = new OpenMessages(); Store reopened = Store.open(zerosOnly, options())) {
            assertValues(map(reopened), 50);
            assertThat(messages.levelOf("bytes of zeros past the last record"))
                    .isEqualTo(java.util.logging.Level.INFO);
            assertThat(messages.records).as("warnings").noneMatch(r -> r.getLevel() == java.util.logging.Level.WARNING);
            assertThat(reopened.stats().tornBytesTruncated()).as("still counted").isEqualTo(torn.length - records);
        }
        try (OpenMessages messages = new OpenMessages(); Store reopened = Store.open(tornRecord, options())) {
            assertValues(map(reopened), 50);
            assertThat(messages.levelOf("truncated a torn tail")).isEqualTo(java.util.logging.Level.WARNING);
        }
    }

    @Test
    void closeCutsTheZerosSoTheNextOpenFindsNoTornTail() throws Exception {
        Path log = dir.resolve("c.log");
        long records;
        try (Store store = Store.open(log, options())) {
            put(map(store), 0, 100);
            records = store.stats().logBytes();
        }
        assertThat(Files.size(log)).isEqualTo(records);
        try (Store reopened = Store.open(log, options())) {
            assertThat(reopened.stats().tornBytesTruncated()).isZero();
            PersistMap<String, String> m = map(reopened);
            assertValues(m, 100);
            put(m, 100, 150); // appends after the records the open found, through a new window
            assertThat(writableMappings(dir)).hasSize(1);
        }
        try (Store reopened = Store.open(log, options())) {
            assertThat(reopened.stats().tornBytesTruncated()).isZero();
            assertValues(map(reopened), 150);
        }
    }

    @Test
    void aSealedSegmentIsExactlyItsRecords() throws Exception {
        Path log = dir.resolve("s.log");
        int count = 3000; // about 1.5 MB: several 256 KB segments, and windows crossed inside them
        try (Store store = Store.open(log, options().segmentBytes(256 * 1024))) {
            PersistMap<String, String> m = map(store);
            put(m, 0, count);
            List<Path> segments = LogFiles.segments(log);
            assertThat(segments.size()).isGreaterThan(3);
            for (Path sealed : segments.subList(0, segments.size() - 1)) {
                assertThat(Files.size(sealed)).as("%s, sealed", sealed).isLessThan(256 * 1024 + 256 * 1024 / 2);
                // a sealed segment ends with a whole record: its last bytes are no zeros
                byte[] bytes = Files.readAllBytes(sealed);
                assertThat(bytes[bytes.length - 1] | bytes[bytes.length - 2] | bytes[bytes.length - 3])
                        .as("%s ends with a record, not zeros", sealed).isNotZero();
            }
            // a copy now: the sealed segments must open as they are, the last one's zeros cut as a torn tail
            Path copyDir = Files.createDirectories(dir.resolve("copy"));
            for (Path p : segments) {
                Files.copy(p, copyDir.resolve(p.getFileName()));
            }
            try (Store copy = Store.open(copyDir.resolve("s.log"), options())) {
                assertValues(map(copy), count);
            }
        }
        assertThat(LogFiles.verify(log).clean()).as("the closed log, every segment").isTrue();
        try (Store reopened = Store.open(log, options())) {
            assertThat(reopened.stats().tornBytesTruncated()).isZero();
            assertValues(map(reopened), count);
        }
    }

    /** A local file system whose channels may be mapped for writes, and fail writes while a flag is set. */
    private static final class FillingFileSystem extends ForwardingFileSystem {
        final AtomicBoolean full = new AtomicBoolean();
        final boolean mappable;

        FillingFileSystem(boolean mappable) {
            super(StoreFileSystem.local());
            this.mappable = mappable;
        }

        @Override
        public boolean writesThroughMappings() {
            return true;
        }

        @Override
        public FileChannel open(Path path, OpenOption... options) throws IOException {
            FileChannel real = delegate.open(path, options);
            if (mappable) {
                return new FaultyChannel(real, full, new AtomicBoolean());
            }
            return new ForwardingChannel(real) {
                @Override
                public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
                    throw new UnsupportedOperationException("this channel cannot be mapped");
                }
            };
        }
    }

    @Test
    void aDiskWithoutRoomForTheZerosIsMetWhereAWriteWouldMeetIt() throws Exception {
        assumeTrue(Runtime.version().feature() < 22, "a test channel is mapped on Java 17 to 21 only");
        Path log = dir.resolve("f.log");
        FillingFileSystem fs = new FillingFileSystem(true);
        Store store = Store.open(log, options().fileSystem(fs).errorHandler(e -> { }));
        PersistMap<String, String> m = map(store);
        put(m, 0, 100); // into the first window
        assertThat(writableMappings(dir)).hasSize(1);
        // a full disk: no more zeros can be written; the records that still fit in the zeros written (the window's, and
        // those the helper wrote ahead) go on through the mapping, then the first write meets the full disk
        fs.full.set(true);
        int acknowledged = 100;
        StoreFailedException failure = null;
        for (int i = 100; i < 100_000 && failure == null; i++) {
            try {
                m.set("k" + i, value(i), Durability.WRITE);
                acknowledged++;
            } catch (StoreFailedException e) {
                failure = e;
            }
        }
        assertThat(failure).as("the disk fills up").isNotNull();
        assertThat(failure).hasMessageContaining(log.toString());
        assertThat(failure.getCause().toString()).contains("No space left on device");
        assertThat(acknowledged).as("puts that fit in the window already written").isGreaterThan(1500);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);

        Files.deleteIfExists(dir.resolve("f.log.lock"));
        try (Store reopened = Store.open(log, options())) {
            assertValues(map(reopened), acknowledged);
        }
    }

    @Test
    void aRegionThatCannotBeMappedIsWrittenWithTheChannel() throws Exception {
        Path log = dir.resolve("u.log");
        long records;
        try (Store store = Store.open(log, options().fileSystem(new FillingFileSystem(false)))) {
            PersistMap<String, String> m = map(store);
            put(m, 0, 300);
            assertValues(m, 300);
            assertThat(writableMappings(dir)).isEmpty();
            records = store.stats().logBytes();
        }
        assertThat(Files.size(log)).as("the zeros written before the mapping failed, cut at close").isEqualTo(records);
        try (Store reopened = Store.open(log, options())) {
            assertThat(reopened.stats().tornBytesTruncated()).isZero();
            assertValues(map(reopened), 300);
        }
    }

    @Test
    void anFsyncLeadersBatchInsideTheZerosIsWrittenWithTheChannelAWriteTierOneIsCopied() throws Exception {
        assumeTrue(Runtime.version().feature() < 22, "a test channel is mapped on Java 17 to 21 only");
        java.util.concurrent.atomic.AtomicInteger recordWrites = new java.util.concurrent.atomic.AtomicInteger();
        StoreFileSystem fs = new ForwardingFileSystem(StoreFileSystem.local()) {
            @Override
            public boolean writesThroughMappings() {
                return true;
            }

            @Override
            public FileChannel open(Path path, OpenOption... options) throws IOException {
                return new ForwardingChannel(delegate.open(path, options)) {
                    @Override
                    public int write(java.nio.ByteBuffer src, long position) throws IOException {
                        if (!src.isDirect()) {
                            recordWrites.incrementAndGet(); // the zeros come from a direct buffer, records do not
                        }
                        return delegate.write(src, position);
                    }
                };
            }
        };
        Path log = dir.resolve("y.log");
        try (Store store = Store.open(log, options().fileSystem(fs))) {
            PersistMap<String, String> m = map(store);
            put(m, 0, 10); // WRITE: copied, and the zeros written ahead
            int before = recordWrites.get();
            for (int i = 10; i < 110; i++) {
                m.set("k" + i, value(i), Durability.FSYNC);
            }
            assertThat(recordWrites.get() - before).as("FSYNC batches written with write(2)").isEqualTo(100);
            before = recordWrites.get();
            put(m, 110, 210);
            assertThat(recordWrites.get() - before).as("WRITE batches written with write(2)").isZero();
            assertValues(m, 210);
        }
        try (Store reopened = Store.open(log, options())) {
            assertThat(reopened.stats().tornBytesTruncated()).isZero();
            assertValues(map(reopened), 210);
        }
    }

    @Test
    void turnedOffNothingIsMappedForWritesAndTheFileIsItsRecords() throws Exception {
        Path log = dir.resolve("o.log");
        try (Store store = Store.open(log, options().mappedAppends(false))) {
            put(map(store), 0, 100);
            assertThat(writableMappings(dir)).isEmpty();
            assertThat(Files.size(log)).isEqualTo(store.stats().logBytes());
        }
    }

    @Test
    void aFileSystemInBetweenIsNotPassedBy() throws Exception {
        Path log = dir.resolve("p.log");
        try (Store store = Store.open(log, options().fileSystem(new ForwardingFileSystem(StoreFileSystem.local()) {
        }))) {
            put(map(store), 0, 100);
            assertThat(writableMappings(dir)).as("a forwarding file system's writes are its channels'").isEmpty();
        }
    }
}
