package dev.persist.testkit;

import dev.persist.store.StoreOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A FileChannel that records, in one global order shared by every channel of its {@link Recorder}, each write (file,
 * position, length, recorded once the bytes are written) and each {@code force} (recorded when it begins and when it
 * ends). Tests add their own {@link Recorder#mark marks} (a call returned) to the same order, and then check what
 * happened before a call returned: e.g. that an FSYNC-acknowledged record was written and then forced.
 */
public final class RecordingChannel extends ForwardingChannel {
    /** Something that happened, numbered in the recorder's order. */
    public sealed interface Event permits Write, ForceBegin, ForceEnd, Mark {
        int index();
    }

    /** Bytes {@code [position, position + length)} of {@code file} were written. */
    public record Write(int index, Path file, long position, long length) implements Event {
    }

    /** A force of {@code file} began. */
    public record ForceBegin(int index, Path file, int id) implements Event {
    }

    /** The force {@code id} of {@code file} returned. */
    public record ForceEnd(int index, Path file, int id) implements Event {
    }

    /** A test's own event, such as a call returning. */
    public record Mark(int index, String label) implements Event {
    }

    /** The shared, ordered record of every channel it opened; thread-safe. */
    public static final class Recorder {
        private final List<Event> events = new ArrayList<>();
        private int forces;

        /** @return a channel factory whose channels record into this recorder */
        public StoreOptions.ChannelFactory factory() {
            return (path, options) -> new RecordingChannel(FileChannel.open(path, options), this,
                    path.toAbsolutePath().normalize());
        }

        /** Records a test's own event, e.g. {@code "returned k"} right after the call for {@code k} returned. */
        public synchronized void mark(String label) {
            events.add(new Mark(events.size(), label));
        }

        synchronized void write(Path file, long position, long length) {
            events.add(new Write(events.size(), file, position, length));
        }

        synchronized int forceBegin(Path file) {
            int id = forces++;
            events.add(new ForceBegin(events.size(), file, id));
            return id;
        }

        synchronized void forceEnd(Path file, int id) {
            events.add(new ForceEnd(events.size(), file, id));
        }

        /** @return a copy of the events so far, in order */
        public synchronized List<Event> events() {
            return List.copyOf(events);
        }

        /** @return how many forces began */
        public synchronized int forces() {
            return forces;
        }

        /**
         * Checks that bytes {@code [from, to)} of {@code file} had all been written before the mark {@code label}.
         *
         * @return the index of the write that completed them
         * @throws AssertionError otherwise
         */
        public int assertWrittenBefore(Path file, long from, long to, String label) {
            List<Event> all = events();
            int mark = markIndex(all, label);
            int written = coveredAt(all, file.toAbsolutePath().normalize(), from, to, mark);
            if (written < 0) {
                throw new AssertionError("bytes [" + from + ", " + to + ") of " + file + " not all written before '"
                        + label + "'; " + around(all, mark));
            }
            return written;
        }

        /**
         * Checks the FSYNC contract for one record: bytes {@code [from, to)} of {@code file} were all written, then a
         * force of that file began after the write that completed them and ended before the mark {@code label}.
         *
         * @throws AssertionError otherwise
         */
        public void assertDurableBefore(Path file, long from, long to, String label) {
            Path f = file.toAbsolutePath().normalize();
            List<Event> all = events();
            int mark = markIndex(all, label);
            int written = coveredAt(all, f, from, to, mark);
            if (written < 0) {
                throw new AssertionError("bytes [" + from + ", " + to + ") of " + file + " not all written before '"
                        + label + "' returned; " + around(all, mark));
            }
            List<Integer> begunAfterWrite = new ArrayList<>();
            for (int i = written + 1; i < mark; i++) {
                if (all.get(i) instanceof ForceBegin b && b.file().equals(f)) {
                    begunAfterWrite.add(b.id());
                }
                if (all.get(i) instanceof ForceEnd e && e.file().equals(f) && begunAfterWrite.contains(e.id())) {
                    return;
                }
            }
            throw new AssertionError("no force of " + file + " began after bytes [" + from + ", " + to
                    + ") were written (event " + written + ") and ended before '" + label + "' returned (event "
                    + mark + "); " + around(all, mark));
        }

        private static int markIndex(List<Event> all, String label) {
            for (Event e : all) {
                if (e instanceof Mark m && m.label().equals(label)) {
                    return m.index();
                }
            }
            throw new AssertionError("no mark '" + label + "' recorded");
        }

        /** @return the index of the write that completed the coverage of [from, to) before {@code end}, or -1 */
        private static int coveredAt(List<Event> all, Path file, long from, long to, int end) {
            if (to <= from) {
                throw new IllegalArgumentException("empty range [" + from + ", " + to + ")");
            }
            BitSet covered = new BitSet();
            int length = Math.toIntExact(to - from);
            for (int i = 0; i < end; i++) {
                if (all.get(i) instanceof Write w && w.file().equals(file)) {
                    long a = Math.max(from, w.position());
                    long b = Math.min(to, w.position() + w.length());
                    if (a < b) {
                        covered.set((int) (a - from), (int) (b - from));
                        if (covered.nextClearBit(0) >= length) {
                            return i;
                        }
                    }
                }
            }
            return -1;
        }

        private static String around(List<Event> all, int index) {
            int from = Math.max(0, index - 12);
            int to = Math.min(all.size(), index + 3);
            return "events " + from + ".." + (to - 1) + ":\n  " + all.subList(from, to).stream().map(Object::toString)
                    .collect(Collectors.joining("\n  "));
        }
    }

    private final Recorder recorder;
    private final Path file;

    private RecordingChannel(FileChannel delegate, Recorder recorder, Path file) {
        super(delegate);
        this.recorder = recorder;
        this.file = file;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        int n = delegate.write(src, position);
        if (n > 0) {
            recorder.write(file, position, n);
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        long at = delegate.position();
        int n = delegate.write(src);
        if (n > 0) {
            recorder.write(file, at, n);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long at = delegate.position();
        long n = delegate.write(srcs, offset, length);
        if (n > 0) {
            recorder.write(file, at, n);
        }
        return n;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        long n = delegate.transferFrom(src, position, count);
        if (n > 0) {
            recorder.write(file, position, n);
        }
        return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        int id = recorder.forceBegin(file);
        delegate.force(metaData);
        recorder.forceEnd(file, id);
    }
}
