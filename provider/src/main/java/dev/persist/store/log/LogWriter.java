package dev.persist.store.log;

import dev.persist.store.StoreOptions;
import dev.persist.store.StoreFailedException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Appends records to the log with group commit.
 *
 * <p>Every record gets a log sequence number (LSN): the number of bytes appended before its end, counted from the
 * open of the store and never reset (shrinking changes file offsets, not LSNs). {@link #append} copies the record
 * into a pending buffer under a short lock; it is called inside the caller's per-key lock, which is what makes the
 * log order of two operations on one key their order in memory. Waiting happens afterwards, outside that lock:
 * {@link #awaitWritten} and {@link #awaitSynced} make one caller the leader, which writes everything pending with
 * one {@code write} call (or fsyncs once for everything written); callers that queued behind it usually find
 * their LSN already covered and return without a system call of their own. An uncontended caller never waits for
 * a timer.
 *
 * <p>Lock order: {@code syncLock}, then {@code writeLock}, then {@code appendLock}.
 */
public final class LogWriter {
    private final Path file;
    private final Consumer<Throwable> onFailure;
    private final StoreOptions.ChannelFactory reopener;
    private volatile boolean closing;

    private final ReentrantLock appendLock = new ReentrantLock();
    private byte[] pending = new byte[64 * 1024];
    private int pendingLength;
    private byte[] spare = new byte[64 * 1024];
    private long appendedLsn;
    private long appendedRecords;

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Rounds a WRITE caller spins, then yields, before it parks on {@code writeLock}. */
    private static final int WRITE_SPINS = 64;
    private static final int WRITE_YIELDS = 16;
    private volatile long writtenLsn;
    private volatile FileChannel channel;
    private volatile long fileSwitches;
    /** LSN of file offset 0 of the current file: file offset = lsn - fileBaseLsn. */
    private long fileBaseLsn;

    /** Held by the fsync leader and by shrinking: no fsync runs while the file is swapped. */
    private final ReentrantLock syncLock = new ReentrantLock();
    /** Guards the leader/follower state of FSYNC callers below. */
    private final ReentrantLock syncState = new ReentrantLock();
    /** Signalled when an fsync ends: its followers return, one of the rest leads next. */
    private final Condition syncEnded = syncState.newCondition();
    private boolean syncing;
    /** Callers waiting for an fsync. */
    private int waiting;
    /** Threads that asked for an fsync lately: how many callers the next leader waits for. */
    private final ActiveThreads activeCallers = new ActiveThreads(ACTIVE_WINDOW_NANOS);
    /** How long a thread counts as an FSYNC caller after its last call. */
    public static final long ACTIVE_WINDOW_NANOS = 20_000_000;
    private volatile long lastFsyncNanos;
    /** Upper bound of the commit delay, whatever the disk's fsync time. */
    public static final long MAX_COMMIT_DELAY_NANOS = 2_000_000;
    private volatile long syncedLsn;
    private volatile long lastSyncMillis;
    private final java.util.concurrent.atomic.LongAdder writeCalls = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder syncCalls = new java.util.concurrent.atomic.LongAdder();
    /** Nanoseconds spent in fsync since open, for the latency of syncCalls (total / count, as a metrics timer). */
    private final java.util.concurrent.atomic.LongAdder syncNanos = new java.util.concurrent.atomic.LongAdder();

    private volatile Throwable failure;

    /**
     * @param channel     the log, positioned nowhere in particular (writes are positional)
     * @param fileLength  bytes already in the file, all of them durable
     * @param fileRecords records already in the file
     */
    public LogWriter(Path file, FileChannel channel, long fileLength, long fileRecords, StoreOptions.ChannelFactory reopener,
              Consumer<Throwable> onFailure) {
        this.file = file;
        this.reopener = reopener;
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
    public long append(byte[] record) {
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

    /**
     * Returns once every record up to {@code lsn} has been passed to {@code write(2)}.
     *
     * <p>Whoever holds {@code writeLock} writes everything pending with one call. A caller that finds the lock taken
     * spins, then yields, for a few microseconds (about the cost of one {@code write(2)}) before it parks on the lock:
     * a park and the unpark that ends it cost more than the write itself. On 2 cores this made WRITE {@code set} at
     * 16 threads up to 1.65x faster (StoreSetBenchmark, 0.36 M to 0.60 M ops/s; no gain when other processes load
     * both cores); records per write stayed 1.0 there, since no more than two callers run at once to share a write.
     */
    public void awaitWritten(long lsn) {
        if (writtenLsn >= lsn) {
            return;
        }
        int round = 0;
        while (!writeLock.tryLock()) {
            if (writtenLsn >= lsn) {
                checkNotFailed(lsn);
                return; // the write in progress covered this record
            }
            if (round < WRITE_SPINS) {
                Thread.onSpinWait();
            } else if (round < WRITE_SPINS + WRITE_YIELDS) {
                Thread.yield(); // on a busy machine the writer may need this core
            } else {
                writeLock.lock();
                break;
            }
            round++;
        }
        try {
            if (writtenLsn < lsn) {
                writePendingLocked();
            }
        } finally {
            writeLock.unlock();
        }
        checkNotFailed(lsn);
    }

    /**
     * Returns once every record up to {@code lsn} is on stable storage. One caller at a time is the leader: it writes
     * everything pending and fsyncs once; the others wait, and all of those the fsync covered wake together when it
     * ends (a lock hand-off would wake them one by one, and the next leader would fsync only the few records appended
     * meanwhile).
     *
     * <p>Commit delay: the callers an fsync covers come back with their next records at about the same time, and
     * the first of them becomes the next leader. Fsyncing at once would cover only that one and the few that beat
     * it, and the rest would wait for yet another fsync: with one fsync in flight, batches settle at about half the
     * callers (7.4 to 8.1 records per fsync at 16 threads). So a leader first waits until every thread that asked for
     * an fsync in the last {@link #ACTIVE_WINDOW_NANOS} is waiting, for at most half the last fsync's duration
     * (bounded by {@link #MAX_COMMIT_DELAY_NANOS}). A lone caller never waits. (Waiting for as many callers as the
     * previous fsync covered is not enough: that count is self-fulfilling and settled at 10 of 16.)
     */
    public void awaitSynced(long lsn) {
        awaitSynced(lsn, true);
    }

    /** @param caller whether this is an application call (counted for the commit delay), not the syncer's */
    private void awaitSynced(long lsn, boolean caller) {
        if (syncedLsn >= lsn) {
            return;
        }
        boolean interrupted = false;
        boolean leader = false;
        syncState.lock();
        try {
            if (caller) {
                activeCallers.note(Thread.currentThread());
            }
            while (syncedLsn < lsn) {
                checkNotFailed();
                if (!syncing) {
                    syncing = true;
                    leader = true;
                    break;
                }
                waiting++;
                try {
                    syncEnded.await();
                } catch (InterruptedException e) {
                    interrupted = true; // the caller's record is already in the log's order: finish, then re-assert
                } finally {
                    waiting--;
                }
            }
            if (leader) {
                gatherFollowers();
            }
        } finally {
            syncState.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!leader) {
            return; // covered by another leader's fsync
        }
        // this thread is the leader now: whatever happens, the finally below hands the role on
        long durable = 0; // set only once an fsync has succeeded
        try {
            if (syncedLsn >= lsn) {
                return; // a shrink made everything durable meanwhile
            }
            syncLock.lock();
            try {
                long target;
                writeLock.lock();
                try {
                    writePendingLocked();
                    target = writtenLsn;
                } finally {
                    writeLock.unlock();
                }
                // fsync outside writeLock, so WRITE-tier callers keep going while the disk works
                long started = System.nanoTime();
                retryingOnInterrupt(ch -> {
                    ch.force(true);
                    return null;
                }, "fsync of " + file + " failed");
                lastFsyncNanos = System.nanoTime() - started;
                syncNanos.add(lastFsyncNanos);
                syncCalls.increment();
                lastSyncMillis = System.currentTimeMillis();
                durable = target;
            } finally {
                syncLock.unlock();
            }
        } finally {
            syncState.lock();
            try {
                if (durable > syncedLsn) {
                    syncedLsn = durable;
                }
                syncing = false;
                syncEnded.signalAll();
            } finally {
                syncState.unlock();
            }
        }
    }

    /**
     * The commit delay, called by a new leader holding {@code syncState}: waits until every thread that called for
     * an fsync lately is waiting (they append before they wait, so the write this leader makes next holds their
     * records), or the delay is over.
     */
    private void gatherFollowers() {
        int target = activeCallers.count();
        if (target > 1 && waiting + 1 < target) {
            // yield rather than sleep: the leader stays runnable (no wake-up to wait for when the callers are in),
            // and on a busy machine the callers it waits for get the core
            long deadline = System.nanoTime() + Math.min(lastFsyncNanos / 2, MAX_COMMIT_DELAY_NANOS);
            while (waiting + 1 < target && System.nanoTime() < deadline) {
                syncState.unlock();
                try {
                    Thread.yield();
                } finally {
                    syncState.lock();
                }
            }
        }
    }

    /** Writes and fsyncs everything appended so far, if anything is not yet durable. */
    public void syncAll() {
        awaitSynced(appendedLsn(), false);
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
                long start = writtenLsn - fileBaseLsn;
                retryingOnInterrupt(ch -> {
                    // positional and restartable: a retry after an interrupt rewrites the same bytes in place
                    long offset = start;
                    ByteBuffer bb = ByteBuffer.wrap(batch, 0, length);
                    while (bb.hasRemaining()) {
                        offset += ch.write(bb, offset);
                    }
                    return null;
                }, "write to " + file + " failed");
                writeCalls.increment();
            }
            writtenLsn = end;
        } finally {
            spare = batch;
        }
    }

    /**
     * Reads {@code length} bytes at {@code fileOffset} of the current file: a record a disk-resident entry points at.
     * If the record is still in the pending buffer, everything pending is written first. The caller keeps the file
     * from being swapped meanwhile (the store's disk lock).
     *
     * @param fileOffset where the record starts in the current file
     * @param length     how many bytes
     * @return the bytes; fewer than asked only if the file ends first
     */
    public byte[] readAt(long fileOffset, int length) {
        long endLsn = fileOffset + length + fileBaseLsn;
        if (writtenLsn < endLsn) {
            awaitWritten(endLsn);
        }
        byte[] out = new byte[length];
        int read = retryingOnInterrupt(ch -> {
            ByteBuffer bb = ByteBuffer.wrap(out);
            long at = fileOffset;
            while (bb.hasRemaining()) {
                int n = ch.read(bb, at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
            return bb.position();
        }, "read of " + length + " bytes at offset " + fileOffset + " of " + file + " failed");
        return read == length ? out : java.util.Arrays.copyOf(out, read);
    }

    /** An I/O step on the log's channel. */
    private interface ChannelIo<T> {
        T run(FileChannel channel) throws IOException;
    }

    /**
     * Runs {@code io} on the log channel. A {@link FileChannel} is interruptible: interrupting any thread in the
     * middle of an I/O call closes the channel for every thread, which would fail the whole store because one
     * application thread was cancelled. So a channel closed that way is reopened (safe: the store's lock lives on a
     * separate file, and our writes are positional) and the step retried with the interrupt status held back, then
     * re-asserted for the caller.
     */
    private <T> T retryingOnInterrupt(ChannelIo<T> io, String what) {
        boolean interrupted = false;
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = channel;
                try {
                    return io.run(ch);
                } catch (java.nio.channels.ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    if (closing) {
                        // a call that raced close(): not an I/O failure of the store
                        throw new IllegalStateException("store " + file + " is closed", e);
                    }
                    if (attempt >= 5) {
                        throw fail(what, e);
                    }
                    try {
                        reopen(ch);
                    } catch (IOException reopenFailure) {
                        reopenFailure.addSuppressed(e);
                        throw fail(what + " (and reopening the log failed)", reopenFailure);
                    }
                } catch (IOException | RuntimeException e) {
                    throw fail(what, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void reopen(FileChannel broken) throws IOException {
        if (channel == broken) {
            channel = reopener.open(file, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
        }
    }

    /**
     * Runs {@code action} with every lock held and everything appended written to the current file, so that no
     * record can be appended, written or fsynced meanwhile: shrinking swaps the file inside it.
     */
    public <T> T exclusively(ExclusiveAction<T> action) throws IOException {
        syncLock.lock();
        writeLock.lock();
        try {
            appendLock.lock();
            try {
                // drained with appendLock held, so nothing can be appended between the drain and the action
                writePendingLocked();
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
    public interface ExclusiveAction<T> {
        T run(LogWriter writer) throws IOException;
    }

    /**
     * @return how many times appends moved to a new file: a file offset read before a switch may name another record
     *         after it
     */
    public long fileSwitches() {
        return fileSwitches;
    }

    /** Inside {@link #exclusively}: the new file holds every record up to {@link #appendedLsn()} and is durable. */
    public void switchFile(FileChannel newChannel, long newFileLength, long newFileRecords) {
        assert appendLock.isHeldByCurrentThread();
        FileChannel old;
        synchronized (this) {
            old = channel;
            channel = newChannel;
            fileSwitches++;
        }
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
    public FileChannel channel() {
        return channel;
    }

    /** File offset of {@code lsn} in the current file. */
    public long fileOffset(long lsn) {
        return lsn - fileBaseLsn;
    }

    public long appendedLsn() {
        appendLock.lock();
        try {
            return appendedLsn;
        } finally {
            appendLock.unlock();
        }
    }

    /** @return {lsn, records} appended so far, read together */
    public long[] position() {
        appendLock.lock();
        try {
            return new long[] {appendedLsn, appendedRecords};
        } finally {
            appendLock.unlock();
        }
    }

    public long appendedRecords() {
        appendLock.lock();
        try {
            return appendedRecords;
        } finally {
            appendLock.unlock();
        }
    }

    public long writtenLsn() {
        return writtenLsn;
    }

    public long syncedLsn() {
        return syncedLsn;
    }

    public long logBytes() {
        appendLock.lock();
        try {
            return appendedLsn - fileBaseLsn;
        } finally {
            appendLock.unlock();
        }
    }

    public long lastSyncMillis() {
        return lastSyncMillis;
    }

    public long writeCalls() {
        return writeCalls.sum();
    }

    public long syncCalls() {
        return syncCalls.sum();
    }

    public long syncNanos() {
        return syncNanos.sum();
    }

    public Throwable failure() {
        return failure;
    }

    /** Marks the writer failed for good and reports it once. */
    public StoreFailedException fail(String message, Throwable cause) {
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

    public void checkNotFailed() {
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

    public void close() throws IOException {
        closing = true;
        channel.close();
    }
}
