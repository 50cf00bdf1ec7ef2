package dev.persist.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Appends records to the log with group commit.
 *
 * <p>Every record gets a log sequence number (LSN): the number of bytes appended before its end, counted from the
 * open of the store and never reset (compaction changes file offsets, not LSNs). {@link #append} copies the record
 * into a pending buffer under a short lock; it is called inside the caller's per-key lock, which is what makes the
 * log order of two operations on one key their order in memory. Waiting happens afterwards, outside that lock:
 * {@link #awaitWritten} and {@link #awaitSynced} make one caller the leader, which writes everything pending with
 * one {@code write} call (or fsyncs once for everything written); callers that queued behind it usually find
 * their LSN already covered and return without a system call of their own. An uncontended caller never waits for
 * a timer.
 *
 * <p>Lock order: {@code syncLock}, then {@code writeLock}, then {@code appendLock}.
 */
final class LogWriter {
    private final Path file;
    private final Consumer<Throwable> onFailure;

    private final ReentrantLock appendLock = new ReentrantLock();
    private byte[] pending = new byte[64 * 1024];
    private int pendingLength;
    private byte[] spare = new byte[64 * 1024];
    private long appendedLsn;
    private long appendedRecords;

    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile long writtenLsn;
    private FileChannel channel;
    /** LSN of file offset 0 of the current file: file offset = lsn - fileBaseLsn. */
    private long fileBaseLsn;

    private final ReentrantLock syncLock = new ReentrantLock();
    private volatile long syncedLsn;
    private volatile long lastSyncMillis;
    private final java.util.concurrent.atomic.LongAdder writeCalls = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder syncCalls = new java.util.concurrent.atomic.LongAdder();

    private volatile Throwable failure;

    /**
     * @param channel     the log, positioned nowhere in particular (writes are positional)
     * @param fileLength  bytes already in the file, all of them durable
     * @param fileRecords records already in the file
     */
    LogWriter(Path file, FileChannel channel, long fileLength, long fileRecords, Consumer<Throwable> onFailure) {
        this.file = file;
        this.channel = channel;
        this.onFailure = onFailure;
        this.fileBaseLsn = 0;
        this.appendedLsn = fileLength;
        this.appendedRecords = fileRecords;
        this.writtenLsn = fileLength;
        this.syncedLsn = fileLength;
        this.lastSyncMillis = System.currentTimeMillis();
    }

    /**
     * Adds a complete record to the pending buffer.
     *
     * @return the record's end LSN, to pass to {@link #awaitWritten} or {@link #awaitSynced}
     */
    long append(byte[] record) {
        appendLock.lock();
        try {
            checkNotFailed();
            if (pendingLength + record.length > pending.length) {
                pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + record.length));
            }
            System.arraycopy(record, 0, pending, pendingLength, record.length);
            pendingLength += record.length;
            appendedRecords++;
            return appendedLsn += record.length;
        } finally {
            appendLock.unlock();
        }
    }

    /** Returns once every record up to {@code lsn} has been passed to {@code write(2)}. */
    void awaitWritten(long lsn) {
        if (writtenLsn >= lsn) {
            return;
        }
        writeLock.lock();
        try {
            if (writtenLsn < lsn) {
                writePendingLocked();
            }
        } finally {
            writeLock.unlock();
        }
        checkNotFailed(lsn);
    }

    /** Returns once every record up to {@code lsn} is on stable storage. */
    void awaitSynced(long lsn) {
        if (syncedLsn >= lsn) {
            return;
        }
        syncLock.lock();
        try {
            if (syncedLsn >= lsn) {
                return;
            }
            long target;
            FileChannel ch;
            writeLock.lock();
            try {
                writePendingLocked();
                target = writtenLsn;
                ch = channel;
            } finally {
                writeLock.unlock();
            }
            // fsync outside writeLock, so WRITE-tier callers keep going while the disk works
            try {
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                throw fail("fsync of " + file + " failed", e);
            }
            syncCalls.increment();
            syncedLsn = target;
            lastSyncMillis = System.currentTimeMillis();
        } finally {
            syncLock.unlock();
        }
    }

    /** Writes and fsyncs everything appended so far, if anything is not yet durable. */
    void syncAll() {
        awaitSynced(appendedLsn());
    }

    /** Called with writeLock held: writes the whole pending buffer with one write call. */
    private void writePendingLocked() {
        checkNotFailed();
        byte[] batch;
        int length;
        long end;
        appendLock.lock();
        try {
            batch = pending;
            length = pendingLength;
            end = appendedLsn;
            pending = spare;
            pendingLength = 0;
        } finally {
            appendLock.unlock();
        }
        try {
            if (length > 0) {
                long offset = writtenLsn - fileBaseLsn;
                ByteBuffer bb = ByteBuffer.wrap(batch, 0, length);
                while (bb.hasRemaining()) {
                    offset += channel.write(bb, offset);
                }
                writeCalls.increment();
            }
            writtenLsn = end;
        } catch (IOException | RuntimeException e) {
            throw fail("write to " + file + " failed", e);
        } finally {
            spare = batch;
        }
    }

    /**
     * Runs {@code action} with every lock held and everything appended written to the current file, so that no
     * record can be appended, written or fsynced meanwhile: compaction swaps the file inside it.
     */
    <T> T exclusively(ExclusiveAction<T> action) throws IOException {
        syncLock.lock();
        writeLock.lock();
        try {
            // appendLock before the write, not after it: an append slipping in between would be counted in
            // appendedLsn but sit in the pending buffer, not in the file the action copies from
            appendLock.lock();
            try {
                writePendingLocked(); // appendLock is reentrant
                return action.run(this);
            } finally {
                appendLock.unlock();
            }
        } finally {
            writeLock.unlock();
            syncLock.unlock();
        }
    }

    /** Work done while no other thread can touch the log. */
    interface ExclusiveAction<T> {
        T run(LogWriter writer) throws IOException;
    }

    /** Inside {@link #exclusively}: the new file holds every record up to {@link #appendedLsn()} and is durable. */
    void switchFile(FileChannel newChannel, long newFileLength, long newFileRecords) {
        assert appendLock.isHeldByCurrentThread();
        FileChannel old = channel;
        channel = newChannel;
        fileBaseLsn = appendedLsn - newFileLength;
        appendedRecords = newFileRecords;
        writtenLsn = appendedLsn;
        syncedLsn = appendedLsn;
        lastSyncMillis = System.currentTimeMillis();
        try {
            old.close();
        } catch (IOException ignored) {
            // the old file is already replaced; nothing of it is needed any more
        }
    }

    /** Inside {@link #exclusively} or single-threaded: the current file's channel. */
    FileChannel channel() {
        return channel;
    }

    /** File offset of {@code lsn} in the current file. */
    long fileOffset(long lsn) {
        return lsn - fileBaseLsn;
    }

    long appendedLsn() {
        appendLock.lock();
        try {
            return appendedLsn;
        } finally {
            appendLock.unlock();
        }
    }

    /** @return {lsn, records} appended so far, read together */
    long[] position() {
        appendLock.lock();
        try {
            return new long[] {appendedLsn, appendedRecords};
        } finally {
            appendLock.unlock();
        }
    }

    long appendedRecords() {
        appendLock.lock();
        try {
            return appendedRecords;
        } finally {
            appendLock.unlock();
        }
    }

    long writtenLsn() {
        return writtenLsn;
    }

    long syncedLsn() {
        return syncedLsn;
    }

    long logBytes() {
        appendLock.lock();
        try {
            return appendedLsn - fileBaseLsn;
        } finally {
            appendLock.unlock();
        }
    }

    long lastSyncMillis() {
        return lastSyncMillis;
    }

    long writeCalls() {
        return writeCalls.sum();
    }

    long syncCalls() {
        return syncCalls.sum();
    }

    Throwable failure() {
        return failure;
    }

    /** Marks the writer failed for good and reports it once. */
    StoreFailedException fail(String message, Throwable cause) {
        StoreFailedException ex;
        synchronized (this) {
            if (failure == null) {
                failure = new StoreFailedException(message + ": " + cause, cause);
                ex = (StoreFailedException) failure;
                onFailure.accept(ex);
                return ex;
            }
        }
        return new StoreFailedException(message + ": " + cause, failure);
    }

    void checkNotFailed() {
        Throwable f = failure;
        if (f != null) {
            throw new StoreFailedException("store " + file + " refuses writes after an I/O failure; reopen it to recover", f);
        }
    }

    /** After waiting, a caller whose record is not covered learns why. */
    private void checkNotFailed(long lsn) {
        if (writtenLsn < lsn) {
            checkNotFailed();
            throw new IllegalStateException("record at " + lsn + " not written");
        }
    }

    void close() throws IOException {
        channel.close();
    }
}
