package dev.persist.testkit;

import dev.persist.store.StoreFileSystem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;

/** A file system passing every call to another; subclasses change the calls they are about. */
public abstract class DelegatingFileSystem implements StoreFileSystem {
    protected final StoreFileSystem delegate;

    protected DelegatingFileSystem(StoreFileSystem delegate) {
        this.delegate = delegate;
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
