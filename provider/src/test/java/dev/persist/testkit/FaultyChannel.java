package dev.persist.testkit;

import dev.persist.store.StoreOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/** A FileChannel that delegates to a real one and fails writes or forces on demand, as a full disk would. */
public final class FaultyChannel extends ForwardingChannel {
    private final AtomicBoolean failWrites;
    private final AtomicBoolean failForce;

    /**
     * @param delegate   the real channel
     * @param failWrites while set, writes, truncations and transfers into the file fail with "No space left on device"
     * @param failForce  while set, {@code force} fails with an fsync I/O error
     */
    public FaultyChannel(FileChannel delegate, AtomicBoolean failWrites, AtomicBoolean failForce) {
        super(delegate);
        this.failWrites = failWrites;
        this.failForce = failForce;
    }

    /** A channel factory whose channels fail while the flags are set. */
    public static StoreOptions.ChannelFactory factory(AtomicBoolean failWrites, AtomicBoolean failForce) {
        return (path, options) -> new FaultyChannel(FileChannel.open(path, options), failWrites, failForce);
    }

    private void checkWrite() throws IOException {
        if (failWrites.get()) {
            throw new IOException("No space left on device");
        }
    }

    @Override public int write(ByteBuffer src) throws IOException { checkWrite(); return delegate.write(src); }
    @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException { checkWrite(); return delegate.write(srcs, offset, length); }
    @Override public FileChannel truncate(long size) throws IOException { checkWrite(); delegate.truncate(size); return this; }
    @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException { checkWrite(); return delegate.transferFrom(src, position, count); }
    @Override public int write(ByteBuffer src, long position) throws IOException { checkWrite(); return delegate.write(src, position); }
    @Override public void force(boolean metaData) throws IOException {
        if (failForce.get()) {
            throw new IOException("Input/output error (fsync)");
        }
        delegate.force(metaData);
    }
}
