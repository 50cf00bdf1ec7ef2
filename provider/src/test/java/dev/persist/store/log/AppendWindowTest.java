package dev.persist.store.log;

import dev.persist.testkit.ForwardingChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The helper's part of {@link AppendWindow}, with its tasks run when the test says: zeros it was asked for before the
 * writer fell back to the channel, or before the segment's end was cut, are never written over records or past the
 * cut.
 */
class AppendWindowTest {
    private static final int WINDOW = 64 * 1024;

    @TempDir
    Path dir;

    /** The helper's tasks, run by the test. */
    private final Queue<Runnable> helper = new ArrayDeque<>();

    @BeforeEach
    void linuxAndJava17To21() {
        assumeTrue(AppendWindow.supported(), "appends are mapped on Linux only");
        // Java 22 on maps through an overload of FileChannel.map that the test's channel (built for 17) lacks
        assumeTrue(Runtime.version().feature() < 22, "a test channel is mapped on Java 17 to 21 only");
    }

    /** A channel whose mappings fail after the first {@code allowed}. */
    private static FileChannel mappableTimes(FileChannel real, int allowed) {
        AtomicInteger maps = new AtomicInteger();
        return new ForwardingChannel(real) {
            @Override
            public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
                if (maps.incrementAndGet() > allowed) {
                    throw new IOException("out of mappings (test)");
                }
                return delegate.map(mode, position, size);
            }
        };
    }

    /** A new file, open for reading and writing: a segment's channel. */
    private static FileChannel created(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private static byte[] filled(int length, byte b) {
        byte[] out = new byte[length];
        Arrays.fill(out, b);
        return out;
    }

    private static void runAll(Queue<Runnable> tasks) {
        for (Runnable r; (r = tasks.poll()) != null; ) {
            r.run();
        }
    }

    @Test
    void zerosAskedForBeforeAFallBackNeverOverwriteTheRecordsTheChannelWrote() throws Exception {
        Path file = dir.resolve("f.log");
        try (FileChannel ch = mappableTimes(created(file), 1)) {
            LogSegment seg = new LogSegment(0, file, 0, ch, 0);
            AppendWindow window = new AppendWindow(helper::add, WINDOW);
            assertThat(window.write(seg, ch, 0, filled(1000, (byte) 1), 0, 1000)).isEqualTo(1000);
            assertThat(helper).as("the helper asked to extend ahead").hasSize(1);
            assertThat(Files.size(file)).isEqualTo(WINDOW);

            // the next window cannot be mapped: the writer falls back to the channel for the rest of the segment,
            // and writes past the zeros it extended the file with in line
            int rest = 3 * WINDOW;
            byte[] records = filled(rest, (byte) 2);
            assertThat(window.write(seg, ch, WINDOW, records, 0, rest)).as("copied through a mapping").isZero();
            ch.write(ByteBuffer.wrap(records), WINDOW);

            runAll(helper); // the task asked for before the fall-back runs late
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes).hasSize(4 * WINDOW);
            for (int i = WINDOW; i < 4 * WINDOW; i++) {
                if (bytes[i] != 2) {
                    throw new AssertionError("byte " + i + " is " + bytes[i] + ", not the record the channel wrote");
                }
            }
        }
    }

    @Test
    void aMappingCutShortByAnInterruptIsAnErrorToRetryNotAFallBackForTheRestOfTheSegment() throws Exception {
        Path file = dir.resolve("i.log");
        FileChannel real = created(file);
        // what FileChannel.map does when the calling thread is interrupted: closes the channel and throws
        FileChannel interruptedOnce = new ForwardingChannel(real) {
            @Override
            public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
                delegate.close();
                throw new java.nio.channels.ClosedByInterruptException();
            }
        };
        LogSegment seg = new LogSegment(0, file, 0, interruptedOnce, 0);
        AppendWindow window = new AppendWindow(helper::add, WINDOW);
        byte[] record = filled(1000, (byte) 1);
        assertThatThrownBy(() -> window.write(seg, interruptedOnce, 0, record, 0, 1000))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        try (FileChannel reopened = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            seg.channel = reopened;
            assertThat(window.write(seg, reopened, 0, record, 0, 1000))
                    .as("copied through a mapping once the channel is reopened").isEqualTo(1000);
            window.trim(seg, reopened, 1000);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(record);
    }

    @Test
    void zerosAskedForBeforeACutAreNotWrittenPastIt() throws Exception {
        Path file = dir.resolve("c.log");
        try (FileChannel ch = created(file)) {
            LogSegment seg = new LogSegment(0, file, 0, ch, 0);
            AppendWindow window = new AppendWindow(helper::add, WINDOW);
            window.write(seg, ch, 0, filled(1000, (byte) 1), 0, 1000);
            assertThat(helper).hasSize(1);
            assertThat(window.trim(seg, ch, 1000)).as("cut back to its records").isTrue();
            runAll(helper);
            assertThat(Files.size(file)).as("the segment's end, after the helper ran").isEqualTo(1000);
        }
    }

    @Test
    void onlyBytesInsideTheZerosAlreadyWrittenAreCovered() throws Exception {
        Path file = dir.resolve("v.log");
        try (FileChannel ch = created(file)) {
            LogSegment seg = new LogSegment(0, file, 0, ch, 0);
            AppendWindow window = new AppendWindow(helper::add, WINDOW);
            assertThat(window.covers(seg, 1)).as("nothing extended yet").isFalse();
            window.write(seg, ch, 0, filled(100, (byte) 1), 0, 100);
            assertThat(window.covers(seg, WINDOW)).as("up to the window's end").isTrue();
            assertThat(window.covers(seg, WINDOW + 1)).as("past the zeros written").isFalse();
            assertThat(window.covers(new LogSegment(1, file, 0, ch, 0), 100)).as("another segment").isFalse();
            window.trim(seg, ch, 100);
            assertThat(window.covers(seg, 100)).as("after the cut").isFalse();
        }
    }

    @Test
    void theHelperExtendsThreeWindowsPastTheMappedOneAndTheWriterThenOnlyCopies() throws Exception {
        Path file = dir.resolve("h.log");
        AtomicInteger writes = new AtomicInteger();
        try (FileChannel ch = new ForwardingChannel(created(file)) {
            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                writes.incrementAndGet();
                return delegate.write(src, position);
            }
        }) {
            LogSegment seg = new LogSegment(0, file, 0, ch, 0);
            AppendWindow window = new AppendWindow(helper::add, WINDOW);
            window.write(seg, ch, 0, filled(100, (byte) 1), 0, 100);
            runAll(helper);
            assertThat(Files.size(file)).isEqualTo(4L * WINDOW);
            int before = writes.get();
            // the next three windows: mapped over the helper's zeros, no write by the writer
            byte[] records = filled(3 * WINDOW - 100, (byte) 3);
            assertThat(window.write(seg, ch, 100, records, 0, records.length)).isEqualTo(records.length);
            assertThat(writes.get() - before).as("writes of zeros by the writer").isZero();
            assertThat(helper).as("asked again as each window was mapped").isNotEmpty();
            window.trim(seg, ch, 3L * WINDOW);
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes).hasSize(3 * WINDOW);
            assertThat(bytes[3 * WINDOW - 1]).isEqualTo((byte) 3);
        }
    }
}
