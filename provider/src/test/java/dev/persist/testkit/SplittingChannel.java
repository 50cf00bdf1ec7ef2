package dev.persist.testkit;

import dev.persist.store.StoreOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A FileChannel that, while enabled, turns each write into {@link #PIECES} smaller {@code write(2)} calls with a pause
 * between them, so that a SIGKILL can land inside one record and leave a torn tail. (A kill never tears a single
 * {@code write(2)} of a few bytes into a page-cache file: without this, killed writers leave whole records only.)
 * Each call still writes every byte it is given before it returns, so the writer above sees an ordinary write.
 */
public final class SplittingChannel extends ForwardingChannel {
    /** Pieces per write (fewer if the write is shorter). */
    public static final int PIECES = 4;

    private final AtomicBoolean enabled;
    private final long pauseNanos;

    /**
     * @param delegate   the real channel
     * @param enabled    while set, writes are split
     * @param pauseNanos the pause between two pieces of one write
     */
    public SplittingChannel(FileChannel delegate, AtomicBoolean enabled, long pauseNanos) {
        super(delegate);
        this.enabled = enabled;
        this.pauseNanos = pauseNanos;
    }

    /** A channel factory whose channels split their writes while {@code enabled} is set. */
    public static StoreOptions.ChannelFactory factory(AtomicBoolean enabled, long pauseNanos) {
        return (path, options) -> new SplittingChannel(FileChannel.open(path, options), enabled, pauseNanos);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (!enabled.get()) {
            return delegate.write(src, position);
        }
        int total = src.remaining();
        int piece = Math.max(1, (total + PIECES - 1) / PIECES);
        int limit = src.limit();
        long at = position;
        try {
            while (src.hasRemaining()) {
                src.limit(Math.min(limit, src.position() + piece));
                while (src.hasRemaining()) {
                    at += delegate.write(src, at);
                }
                src.limit(limit);
                if (src.hasRemaining()) {
                    LockSupport.parkNanos(pauseNanos);
                }
            }
        } finally {
            src.limit(limit);
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!enabled.get()) {
            return delegate.write(src);
        }
        long at = delegate.position();
        int n = write(src, at);
        delegate.position(at + n);
        return n;
    }
}
