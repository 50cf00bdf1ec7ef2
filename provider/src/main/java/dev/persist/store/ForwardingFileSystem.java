package dev.persist.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link StoreFileSystem} passing every call to another; subclasses override the calls they are about (a test's
 * file system that records, delays or fails some operations, say).
 */
public abstract class ForwardingFileSystem implements StoreFileSystem {
    /** The file system calls go to. */
    protected final StoreFileSystem delegate;

    /** @param delegate the file system every call goes to unless overridden */
    protected ForwardingFileSystem(StoreFileSystem delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return delegate.open(path, options);
    }

    @Override
    public boolean createFile(Path file) throws IOException {
        return delegate.createFile(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        delegate.createDirectories(dir);
    }

    @Override
    public void moveReplacing(Path source, Path target) throws IOException {
        delegate.moveReplacing(source, target);
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        return delegate.deleteIfExists(file);
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        delegate.fsyncDirectory(dir);
    }

    @Override
    public boolean exists(Path file) {
        return delegate.exists(file);
    }

    @Override
    public long size(Path file) throws IOException {
        return delegate.size(file);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public Object fileKey(Path file) throws IOException {
        return delegate.fileKey(file);
    }
}
