package dev.persist.jcache.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectStreamConstants;
import java.io.UncheckedIOException;

/**
 * The calling thread's {@code ObjectOutputStream}, kept from one value to the next: making a stream per value (its
 * block buffer, its handle tables, the growing output buffer) costs a good part of encoding a small value.
 *
 * <p>Each value still comes out as a whole serialization stream by itself, readable by any
 * {@code ObjectInputStream}: the stream header, then what the kept stream wrote for the value after a
 * {@code reset()}: the reset mark ({@code TC_RESET}, which reading passes over) and the object with every class
 * descriptor it needs. So it is one byte longer than what a new stream writes, and decodes the same.
 *
 * <p>A thread keeps its stream only while it writes values of up to {@value #KEPT_UP_TO_BYTES} bytes (a stream's
 * tables and buffer grow with what it wrote), and drops it when a write fails (the stream may be left in the middle of
 * an object). A value whose {@code writeObject} encodes another value on the same thread gets a stream of its own.
 */
final class ThreadObjectOutput {
    private static final ThreadLocal<ThreadObjectOutput> OF_THREAD = new ThreadLocal<>();
    /** The largest value after which a thread keeps its stream. */
    static final int KEPT_UP_TO_BYTES = 16 * 1024;
    private static final byte[] HEADER = {
            (byte) (ObjectStreamConstants.STREAM_MAGIC >>> 8), (byte) ObjectStreamConstants.STREAM_MAGIC,
            (byte) (ObjectStreamConstants.STREAM_VERSION >>> 8), (byte) ObjectStreamConstants.STREAM_VERSION};

    private final Output bytes = new Output();
    private final SerializationCodec.CheckingObjectOutputStream stream;
    private boolean busy;

    private ThreadObjectOutput() {
        try {
            stream = new SerializationCodec.CheckingObjectOutputStream(bytes, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing the header to memory
        }
    }

    /** @return this thread's stream, now busy; null if it is busy already (a value written inside another) */
    static ThreadObjectOutput acquire() {
        ThreadObjectOutput t = OF_THREAD.get();
        if (t == null) {
            t = new ThreadObjectOutput();
            OF_THREAD.set(t);
        }
        if (t.busy) {
            return null;
        }
        t.busy = true;
        return t;
    }

    /**
     * Starts a value: the output emptied, the stream reset, its classes checked against {@code allowed}.
     *
     * @return the stream to write the value to and flush
     */
    SerializationCodec.CheckingObjectOutputStream start(ClassValue<Boolean> allowed) {
        bytes.reset();
        stream.checking(allowed);
        try {
            stream.reset();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return stream;
    }

    /** @return the value written since {@link #start}, as a whole stream: the header, then what was written */
    byte[] result() {
        return bytes.afterHeader();
    }

    /**
     * Ends a value.
     *
     * @param written false if writing failed: the thread then drops this stream
     */
    void release(boolean written) {
        stream.checking(null);
        busy = false;
        if (!written || bytes.size() > KEPT_UP_TO_BYTES) {
            OF_THREAD.remove();
        }
    }

    /** The stream's output: kept, so that it stops growing once it has held the largest value. */
    private static final class Output extends ByteArrayOutputStream {
        Output() {
            super(1024);
        }

        /** @return the stream header followed by what was written since the last reset, in one copy */
        byte[] afterHeader() {
            byte[] out = new byte[HEADER.length + count];
            System.arraycopy(HEADER, 0, out, 0, HEADER.length);
            System.arraycopy(buf, 0, out, HEADER.length, count);
            return out;
        }
    }
}
