package dev.persist.store.log;

import dev.persist.store.Store;
import dev.persist.store.StoreException;
import dev.persist.store.StoreFileSystem;
import dev.persist.store.StoreLockedException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive OS lock that keeps a second process, or a second {@link Store} of this JVM, away from a log.
 *
 * <p>The lock is taken on a separate {@code <log>.lock} file rather than on the log itself, because shrinking
 * replaces the log by renaming a new file over it: a lock held on the old file would no longer guard the name.
 * The lock file is left in place at close; only the lock matters, and the OS drops it when the process dies,
 * even by {@code kill -9}.
 */
public final class LockFile implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private LockFile(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static LockFile acquire(Path log, StoreFileSystem fileSystem) {
        Path lockPath = log.resolveSibling(log.getFileName() + ".lock");
        FileChannel ch = null;
        try {
            fileSystem.createFile(lockPath);
            ch = fileSystem.open(lockPath, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                ch.close();
                throw new StoreLockedException(log, "it is already open in this JVM (lock file " + lockPath + ")");
            }
            if (lock == null) {
                ch.close();
                throw new StoreLockedException(log, "another process holds " + lockPath);
            }
            return new LockFile(ch, lock);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new StoreException("cannot lock store " + log + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
