package dev.persist.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/** A FileChannel that delegates to a real one and fails writes or forces on demand, as a full disk would. */
final class FaultyChannel extends FileChannel {
    final AtomicBoolean failWrites;
    final AtomicBoolean failForce;
    private final FileChannel delegate;

    FaultyChannel(FileChannel delegate, AtomicBoolean failWrites, AtomicBoolean failForce) {
        this.delegate = delegate;
        this.failWrites = failWrites;
        this.failForce = failForce;
    }

    /** A channel factory whose channels fail while the flags are set. */
    static StoreOptions.ChannelFactory factory(AtomicBoolean failWrites, AtomicBoolean failForce) {
        return (path, options) -> new FaultyChannel(FileChannel.open(path, options), failWrites, failForce);
    }

    private void checkWrite() throws IOException {
        if (failWrites.get()) {
            throw new IOException("No space left on device");
        }
    }

    @Override public int read(ByteBuffer dst) throws IOException { return delegate.read(dst); }
    @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return delegate.read(dsts, offset, length); }
    @Override public int write(ByteBuffer src) throws IOException { checkWrite(); return delegate.write(src); }
    @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException { checkWrite(); return delegate.write(srcs, offset, length); }
    @Override public long position() throws IOException { return delegate.position(); }
    @Override public FileChannel position(long newPosition) throws IOException { delegate.position(newPosition); return this; }
    @Override public long size() throws IOException { return delegate.size(); }
    @Override public FileChannel truncate(long size) throws IOException { checkWrite(); delegate.truncate(size); return this; }
    @Override public void force(boolean metaData) throws IOException {
        if (failForce.get()) {
            throw new IOException("Input/output error (fsync)");
        }
        delegate.force(metaData);
    }
    @Override public long transferTo(long position, long count, WritableByteChannel target) throws IOException { return delegate.transferTo(position, count, target); }
    @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException { checkWrite(); return delegate.transferFrom(src, position, count); }
    @Override public int read(ByteBuffer dst, long position) throws IOException { return delegate.read(dst, position); }
    @Override public int write(ByteBuffer src, long position) throws IOException { checkWrite(); return delegate.write(src, position); }
    @Override public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException { return delegate.map(mode, position, size); }
    @Override public FileLock lock(long position, long size, boolean shared) throws IOException { return delegate.lock(position, size, shared); }
    @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException { return delegate.tryLock(position, size, shared); }
    @Override protected void implCloseChannel() throws IOException { delegate.close(); }
}
