package dev.persist.store;

import dev.persist.store.log.SegmentFiles;
import dev.persist.testkit.ForwardingChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A segment ends only once it is fsynced: the roll fsyncs the full segment before it creates the next file, holding
 * the log's write lock, which every caller waits for. A full segment is fsynced in the background first, while
 * appends go on into it, so that the roll's own fsync has little left to write; a background fsync that cannot keep
 * up does not let the segment grow without bound.
 */
class SegmentRollTest {
    private static final long SEGMENT = 4L << 20;
    private static final String VALUE = "v".repeat(10_000);
    private static final String HELPER_THREAD = "persist-store-log-files";

    @TempDir
    Path dir;

    /** An fsync of a log file: by which thread, and how many bytes had been written to the file since the last. */
    record Force(String thread, long unforcedBytes) {
    }

    /** Watches the fsyncs of the log's files; can hold those of the background helper. */
    static final class WatchingFileSystem extends ForwardingFileSystem {
        final List<Force> forces = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch helperForcesWait;
        /** A pause after each positional write outside the helper: appends at a disk's pace, not memory's. */
        volatile long writePauseNanos;

        WatchingFileSystem() {
            super(StoreFileSystem.local());
        }

        @Override
        public FileChannel open(Path path, OpenOption... options) throws IOException {
            return new ForwardingChannel(delegate.open(path, options)) {
                private long unforced;

                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    int n = delegate.write(src, position);
                    synchronized (this) {
                        unforced += n;
                    }
                    if (writePauseNanos > 0 && !Thread.currentThread().getName().equals(HELPER_THREAD)) {
                        java.util.concurrent.locks.LockSupport.parkNanos(writePauseNanos);
                    }
                    return n;
                }

                @Override
                public int write(ByteBuffer src) throws IOException {
                    int n = delegate.write(src);
                    synchronized (this) {
                        unforced += n;
                    }
                    return n;
                }

                @Override
                public void force(boolean metaData) throws IOException {
                    CountDownLatch wait = helperForcesWait;
                    if (wait != null && Thread.currentThread().getName().equals(HELPER_THREAD)) {
                        try {
                            wait.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    long bytes;
                    synchronized (this) {
                        bytes = unforced;
                        unforced = 0;
                    }
                    delegate.force(metaData);
                    forces.add(new Force(Thread.currentThread().getName(), bytes));
                }
            };
        }
    }

    private static StoreOptions options(StoreFileSystem fs) {
        return StoreOptions.defaults().fileSystem(fs).syncInterval(Duration.ofHours(1)).segmentBytes(SEGMENT);
    }

    @Test
    void aFullSegmentIsFsyncedInTheBackgroundSoTheRollFsyncsLittle() throws Exception {
        Path log = dir.resolve("r.log");
        WatchingFileSystem fs = new WatchingFileSystem();
        // 10 KB per half millisecond, 20 MB/s: the background fsync has 100 ms to catch up before a segment runs half
        // its size past its end (at memory's pace, a few milliseconds: a cold helper thread lost that race)
        fs.writePauseNanos = 500_000;
        Map<String, String> expected = new HashMap<>();
        String putter = Thread.currentThread().getName();
        try (Store store = Store.open(log, options(fs))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; SegmentFiles.list(fs, log).size() < 5; i++) {
                m.set("k" + i % 500, VALUE + i, Durability.WRITE);
                expected.put("k" + i % 500, VALUE + i);
            }
        }
        List<Force> byPutter = fs.forces.stream().filter(f -> f.thread().equals(putter)).toList();
        List<Force> byHelper = fs.forces.stream().filter(f -> f.thread().equals(HELPER_THREAD)).toList();
        assertThat(byPutter).as("the rolls' fsyncs, in the thread that wrote past each segment's end")
                .hasSizeGreaterThanOrEqualTo(4);
        assertThat(byPutter).allSatisfy(f -> assertThat(f.unforcedBytes()).as("bytes the roll had to fsync")
                .isLessThanOrEqualTo(dev.persist.store.log.LogWriter.ROLL_IN_LINE_BYTES));
        assertThat(byHelper).as("background fsyncs of full segments").hasSizeGreaterThanOrEqualTo(4);
        assertThat(byHelper.stream().mapToLong(Force::unforcedBytes).max().orElse(0))
                .as("most of a segment fsynced in the background").isGreaterThan(SEGMENT / 2);
        for (long n : SegmentFiles.list(StoreFileSystem.local(), log)) {
            assertThat(Files.size(SegmentFiles.pathOf(log, n))).as("segment " + n)
                    .isLessThan(SEGMENT + SEGMENT / 2 + VALUE.length() + 100);
        }
        assertCleanAndReopensWith(log, expected);
    }

    @Test
    void aSegmentWhoseBackgroundFsyncIsStuckEndsInLineHalfItsSizeLater() throws Exception {
        Path log = dir.resolve("s.log");
        WatchingFileSystem fs = new WatchingFileSystem();
        fs.helperForcesWait = new CountDownLatch(1);
        Map<String, String> expected = new HashMap<>();
        try (Store store = Store.open(log, options(fs))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            try {
                long written = 0;
                for (int i = 0; SegmentFiles.list(fs, log).size() < 2 && written < 4 * SEGMENT; i++) {
                    m.set("k" + i % 500, VALUE + i, Durability.WRITE);
                    expected.put("k" + i % 500, VALUE + i);
                    written += VALUE.length();
                }
            } finally {
                fs.helperForcesWait.countDown();
            }
        }
        List<Long> segments = SegmentFiles.list(StoreFileSystem.local(), log);
        assertThat(segments).as("the first segment ended, its background fsync held all along").hasSize(2);
        assertThat(Files.size(SegmentFiles.pathOf(log, segments.get(0))))
                .as("it ran half its size past its end, then ended with its fsync in line")
                .isBetween(SEGMENT + SEGMENT / 2, SEGMENT + SEGMENT / 2 + VALUE.length() + 100);
        assertCleanAndReopensWith(log, expected);
    }

    /** The log verifies clean (every segment whole, no tail), and a reopen reads {@code expected} back. */
    private static void assertCleanAndReopensWith(Path log, Map<String, String> expected) throws IOException {
        assertThat(LogFiles.verify(log).clean()).as("every segment whole, no tail").isTrue();
        try (Store store = Store.open(log, options(StoreFileSystem.local()))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            Map<String, String> read = new HashMap<>();
            m.forEach(read::put);
            assertThat(read).isEqualTo(expected);
        }
    }
}
