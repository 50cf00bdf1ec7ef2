package dev.persist.store.log;

import dev.persist.store.StoreFailedException;
import dev.persist.store.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Appends records to the log with group commit.
 *
 * <p>Every record gets a log sequence number (LSN): the number of bytes appended before its end, counted from the
 * open of the store and never reset, running on across segment files ({@link LogSegment}). {@link #append} copies the record
 * into a pending buffer under a short lock; it is called inside the caller's per-key lock, which is what makes the
 * log order of two operations on one key their order in memory. Waiting happens afterwards, outside that lock:
 * {@link #awaitWritten} and {@link #awaitSynced} make one caller the leader, which writes everything pending with
 * one {@code write} call (or fsyncs once for everything written); callers that queued behind it usually find
 * their LSN already covered and return without a system call of their own. An uncontended caller never waits for
 * a timer.
 *
 * <p><b>Segments.</b> Records go to the last segment file. When it holds {@code segmentBytes} or more, and all but
 * the last {@link #ROLL_IN_LINE_BYTES} of it are fsynced (a background fsync sees to that: {@link #readyToRoll}), the
 * next append starts a new segment (a roll): from then on records are numbered in the new file. The file itself is
 * created by whoever writes the first bytes for it: that writer first fsyncs the full segment (so a sealed segment
 * never has a torn tail, and damage in one is corruption), then creates the new file with its header, fsyncs it and
 * the directory (so no record in it is acknowledged as synced while its name could still be lost), then writes.
 *
 * <p>Lock order: {@code syncLock}, then {@code writeLock}, then {@code appendLock}.
 */
public final class LogWriter {
    private final Path file;
    private final Consumer<Throwable> onFailure;
    /** Runs the fsyncs that prepare a full segment's end ({@link #readyToRoll}). */
    private final java.util.concurrent.Executor helper;
    /**
     * Bytes of a full segment not yet fsynced up to which it ends at once: its roll fsyncs them with the write lock
     * held, which every caller waits for.
     */
    public static final long ROLL_IN_LINE_BYTES = 2L << 20;
    /** Whether an fsync prepares the active segment's end. Guarded by appendLock. */
    private boolean presealing;
    private final StoreFileSystem fs;
    private final long segmentBytes;
    /** Whether sealed segments are read through mappings. */
    private final boolean mappedReads;
    /** Where the last segment's end is mapped for appends; null if appends use {@code write}. Guarded by writeLock. */
    private final AppendWindow window;
    private volatile boolean closing;
    /** The live segments, oldest first; replaced whole (by a roll, under appendLock, or by {@link #retire}). */
    private volatile LogSegment[] segments;
    /** The live segments by slot ({@link DiskIndex#slotOf}); replaced whole with {@link #segments}. */
    private volatile LogSegment[] bySlot;
    /** The segment records are appended to. Guarded by appendLock. */
    private LogSegment active;
    /** The segment the next written byte goes to (behind {@link #active} until a roll's first bytes are written).
     * Guarded by writeLock. */
    private LogSegment writing;

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

    /** Held by the fsync leader and by {@link #startPendingSegment}: one fsync leader at a time. */
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
     * @param file         the log's configured path (segment 0), for messages and new segments' names
     * @param opened       the live segments found at open, oldest first, each open and valid to its length, all of
     *                     it durable; at least one
     * @param segmentBytes the size from which the last segment is full: the next append starts a new one once it is
     *                     fsynced ({@link #readyToRoll})
     * @param fs           creates segment files and reopens channels that an interrupt closed
     * @param onFailure    told once of the failure that stops the writer
     * @param helper       runs the fsync that prepares a full segment's end in the background ({@link #readyToRoll});
     *                     one that refuses work makes segments end with that fsync in line
     * @param mappedReads  whether {@link #readAt} reads sealed segments through mappings ({@link SegmentMapping})
     * @param mappedAppends whether records are written by copying them into a mapping of the last segment's end
     *                     ({@link AppendWindow}), where the platform and {@code fs} allow it
     *                     ({@link StoreFileSystem#writesThroughMappings}); otherwise with {@code write}
     */
    public LogWriter(Path file, List<LogSegment.Opened> opened, long segmentBytes, StoreFileSystem fs,
                     Consumer<Throwable> onFailure, java.util.concurrent.Executor helper, boolean mappedReads,
                     boolean mappedAppends) {
        if (opened.isEmpty()) {
            throw new IllegalArgumentException("no segment");
        }
        this.file = file;
        this.fs = fs;
        this.segmentBytes = segmentBytes;
        this.onFailure = onFailure;
        this.helper = java.util.Objects.requireNonNull(helper, "helper");
        this.mappedReads = mappedReads;
        this.window = mappedAppends && fs.writesThroughMappings() && AppendWindow.supported()
                ? new AppendWindow(this.helper, segmentBytes) : null;
        List<LogSegment> list = new ArrayList<>();
        long base = 0;
        long records = 0;
        long end = 0;
        LogSegment previous = null;
        for (LogSegment.Opened o : opened) {
            LogSegment seg = new LogSegment(o.number(), o.path(), base, o.channel(), o.records());
            if (previous != null) {
                previous.endLsn = seg.firstLsn();
            }
            list.add(seg);
            records += o.records();
            end = base + o.length();
            seg.noteDurable(end); // what an open found is durable
            base = end - RecordFormat.HEADER_SIZE; // the next segment's first record follows this one's last
            previous = seg;
        }
        publish(list);
        this.active = previous;
        this.writing = previous;
        this.appendedLsn = end;
        this.appendedRecords = records;
        this.writtenLsn = end;
        this.syncedLsn = end;
        this.lastSyncMillis = System.currentTimeMillis();
    }

    private void publish(List<LogSegment> list) {
        LogSegment[] slots = new LogSegment[DiskIndex.SEGMENT_SLOTS];
        for (LogSegment seg : list) {
            slots[(int) DiskIndex.slotOf(seg.number)] = seg;
        }
        this.bySlot = slots;
        this.segments = list.toArray(new LogSegment[0]);
    }

    /**
     * Adds a complete record to the pending buffer.
     *
     * @return the record's end LSN, to pass to {@link #awaitWritten} or {@link #awaitSynced}
     */
    public long append(byte[] record) {
        return appendAfter(null, record);
    }

    /**
     * Adds two complete records to the pending buffer, the second right after the first: no write starts between
     * them and no new segment, so they reach the file in the same {@code write(2)}. A companion record and the
     * change it accompanies go this way: written apart, a crash between the two writes would keep the first
     * without the second. The first is marked ({@link RecordFormat#PAIRED}), so that a write cut between the two
     * (a power cut) loses both at the next open.
     *
     * @return the second record's end LSN (it starts {@code second.length} bytes before)
     */
    public long appendPair(byte[] first, byte[] second) {
        // marked, so that an open applies the first only if the second follows it (see RecordFormat)
        return appendAfter(RecordFormat.paired(java.util.Objects.requireNonNull(first, "first")), second);
    }

    /** Appends {@code record}, right after {@code first} if that is not null (see {@link #appendPair}). */
    private long appendAfter(byte[] first, byte[] record) {
        appendLock.lock();
        try {
            checkNotFailed();
            if (appendedLsn - active.baseLsn >= segmentBytes && readyToRoll()) {
                startSegment();
            }
            if (first != null) {
                appendLocked(first);
            }
            return appendLocked(record);
        } finally {
            appendLock.unlock();
        }
    }

    /** Under appendLock: copies a record into the pending buffer. */
    private long appendLocked(byte[] record) {
        if (pendingLength + record.length > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + record.length));
        }
        System.arraycopy(record, 0, pending, pendingLength, record.length);
        pendingLength += record.length;
        appendedRecords++;
        active.records++;
        return appendedLsn += record.length;
    }

    /**
     * Under appendLock, for a full active segment: whether the next record starts a new one now. Before its writer
     * creates the next file, a roll fsyncs the full segment ({@link #startFile}), holding the write lock that every
     * caller waits for; a segment of hundreds of megabytes written at WRITE since the syncer's last fsync took tens
     * of milliseconds there. So a full segment first gets an fsync in the background while appends go on into it;
     * it ends once at most {@link #ROLL_IN_LINE_BYTES} of it may not be durable, or once it runs past its size by half
     * (a disk slower than the appends: then the roll fsyncs in line, as without this).
     */
    private boolean readyToRoll() {
        if (appendedLsn - active.durableLsn() <= ROLL_IN_LINE_BYTES
                || appendedLsn - active.baseLsn >= segmentBytes + segmentBytes / 2) {
            return true;
        }
        if (!presealing) {
            LogSegment full = active;
            long target = appendedLsn;
            try {
                helper.execute(() -> preseal(full, target));
                presealing = true;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return true; // closing: end it in line
            }
        }
        return false;
    }

    /**
     * In the background: writes {@code seg} up to {@code target} and fsyncs it, if it is still the active segment (one
     * that ended is fsynced by its roll). Holds {@code syncLock}, which {@link #retire} takes too, so that no file is
     * closed under the fsync.
     */
    private void preseal(LogSegment seg, long target) {
        try {
            awaitWritten(target);
            syncLock.lock();
            try {
                if (seg.endLsn == Long.MAX_VALUE && seg.channel != null) {
                    long written = writtenLsn;
                    retryingOnInterrupt(seg, ch -> {
                        ch.force(true);
                        return null;
                    }, () -> "fsync of " + seg.path + " before it ends failed");
                    seg.noteDurable(written);
                }
            } finally {
                syncLock.unlock();
            }
        } catch (RuntimeException e) {
            // an I/O failure has failed the writer (and been reported); a close racing it is no failure
        } finally {
            appendLock.lock();
            try {
                presealing = false;
            } finally {
                appendLock.unlock();
            }
        }
    }

    /**
     * Under appendLock: the next record goes to a new segment, if the active one holds a record and the log has a
     * free slot (a log at {@link DiskIndex#SEGMENT_SLOTS} segments keeps appending to its last until a shrink
     * retires some). The file is created when its first bytes are written ({@link #writePendingLocked}).
     */
    private void startSegment() {
        LogSegment[] now = segments;
        if (appendedLsn == active.firstLsn() || now.length >= DiskIndex.SEGMENT_SLOTS) {
            return;
        }
        long number = active.number + 1;
        LogSegment next = new LogSegment(number, SegmentFiles.pathOf(file, number),
                appendedLsn - RecordFormat.HEADER_SIZE, null, 0);
        active.endLsn = appendedLsn;
        List<LogSegment> list = new ArrayList<>(List.of(now));
        list.add(next);
        publish(list);
        active = next;
    }

    /**
     * Ends the active segment if it holds any record, so that the next record starts a new one: a shrink retires
     * every segment before it.
     *
     * @return the number of the newest segment that holds records appended so far (every later one is empty)
     */
    public long roll() {
        appendLock.lock();
        try {
            checkNotFailed();
            startSegment();
            return appendedLsn == active.firstLsn() ? active.number - 1 : active.number;
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
                return;
            }
            syncLock.lock();
            try {
                long target;
                LogSegment last;
                writeLock.lock();
                try {
                    writePendingLocked(false);
                    target = writtenLsn;
                    last = writing; // every segment before it was fsynced when its successor was created
                } finally {
                    writeLock.unlock();
                }
                // fsync outside writeLock, so WRITE-tier callers keep going while the disk works
                long started = System.nanoTime();
                retryingOnInterrupt(last, ch -> {
                    ch.force(true);
                    return null;
                }, () -> "fsync of " + last.path + " failed");
                lastFsyncNanos = System.nanoTime() - started;
                last.noteDurable(target);
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

    /**
     * Called with writeLock held: writes the whole pending buffer, with one write call or, with an append window, one
     * copy into its mapping.
     */
    private void writePendingLocked() {
        writePendingLocked(true);
    }

    /**
     * @param viaWindow false for an fsync leader's batch: written with {@code write(2)} when it lies inside the zeros
     *                  already written ahead (they cover it: nothing is overwritten but zeros). Copied into the
     *                  mapping right after an fsync (which leaves the pages clean, so presumably a page fault each),
     *                  FSYNC puts were slower than before mapped appends; a {@code write(2)} into pages the helper
     *                  already took was faster than either (benchmarks/README.md, "Mapped appends")
     */
    private void writePendingLocked(boolean viaWindow) {
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
            long lsn = writtenLsn;
            int done = 0;
            while (done < length) {
                LogSegment seg = writing;
                if (lsn >= seg.endLsn) {
                    writing = startFile(seg);
                    continue;
                }
                int n = (int) Math.min(length - done, seg.endLsn - lsn);
                long start = seg.offsetOf(lsn);
                int from = done;
                retryingOnInterrupt(seg, ch -> {
                    // positional and restartable: a retry after an interrupt rewrites the same bytes in place
                    int mapped = window == null || (!viaWindow && window.covers(seg, start + n)) ? 0
                            : window.write(seg, ch, start, batch, from, n);
                    long offset = start + mapped;
                    ByteBuffer bb = ByteBuffer.wrap(batch, from + mapped, n - mapped);
                    while (bb.hasRemaining()) {
                        offset += ch.write(bb, offset);
                    }
                    return null;
                }, () -> "write to " + seg.path + " failed");
                done += n;
                lsn += n;
            }
            if (length > 0) {
                writeCalls.increment();
            }
            writtenLsn = end;
        } finally {
            spare = batch;
        }
    }

    /**
     * Under writeLock, when the first bytes of the segment after {@code full} are to be written: fsyncs {@code full},
     * then creates the next segment's file with its header, fsyncs it and the directory.
     *
     * @return the next segment, its file in place
     */
    private LogSegment startFile(LogSegment full) {
        LogSegment next = null;
        for (LogSegment seg : segments) {
            if (seg.number == full.number + 1) {
                next = seg;
            }
        }
        if (next == null) {
            throw fail("segment " + (full.number + 1) + " of " + file + " is not known", new IllegalStateException());
        }
        retryingOnInterrupt(full, ch -> {
            if (window != null) {
                // a sealed segment is exactly its records: zeros after them would be damage, not a torn tail
                window.trim(full, ch, full.endLsn - full.baseLsn);
            }
            ch.force(true);
            return null;
        }, () -> "fsync of " + full.path + " before starting the next segment failed");
        try {
            if (!fs.createFile(next.path)) {
                throw new java.nio.file.FileAlreadyExistsException(next.path.toString(), null,
                        "a segment file the log does not list is in the way");
            }
            FileChannel ch = fs.open(next.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer header = ByteBuffer.wrap(RecordFormat.header());
            while (header.hasRemaining()) {
                ch.write(header, header.position());
            }
            ch.force(true);
            fs.fsyncDirectory(StoreFileSystem.directoryOf(next.path));
            next.channel = ch;
        } catch (IOException | RuntimeException e) {
            throw fail("creating log segment " + next.path + " failed", e);
        }
        return next;
    }

    /**
     * Makes the segment the next record goes to exist on disk even if no record is written yet, everything before it
     * written and fsynced: after {@link #roll()} this seals every earlier segment, so that a shrink may retire them.
     */
    public void startPendingSegment() {
        syncLock.lock();
        writeLock.lock();
        try {
            writePendingLocked();
            LogSegment target;
            appendLock.lock();
            try {
                target = active;
            } finally {
                appendLock.unlock();
            }
            while (writing != target) {
                writing = startFile(writing);
            }
        } finally {
            writeLock.unlock();
            syncLock.unlock();
        }
    }

    /**
     * Reads {@code length} bytes at a position ({@link DiskIndex#position(long, long)}): a record a disk-resident
     * entry points at. If the record is still in the pending buffer, everything pending is written first. A sealed
     * segment is read through its mapping ({@link SegmentMapping}), the last one with a positional read.
     *
     * <p>The caller holds a lock whose other side {@link #retire} and {@link #close} callers hold exclusively (the
     * store's disk lock): that keeps the segment from being retired meanwhile, and its mapping from being released
     * while this copies from it.
     *
     * @param position where the record starts: its segment's slot and its offset there
     * @param length   how many bytes
     * @return the bytes; fewer than asked only if the file ends first (none if no live segment has that slot)
     */
    public byte[] readAt(long position, int length) {
        LogSegment seg = bySlot[DiskIndex.slotOfPosition(position)];
        if (seg == null) {
            return new byte[0];
        }
        long fileOffset = DiskIndex.offsetOfPosition(position);
        long endLsn = seg.baseLsn + fileOffset + length;
        if (writtenLsn < endLsn) {
            awaitWritten(endLsn);
        }
        if (mappedReads && seg.endLsn != Long.MAX_VALUE) {
            ByteBuffer mapped = seg.mappedBytes();
            if (mapped != null) {
                return copyMapped(mapped, fileOffset, length);
            }
        }
        byte[] out = new byte[length];
        int read = retryingOnInterrupt(seg, ch -> {
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
        }, () -> "read of " + length + " bytes at offset " + fileOffset + " of " + seg.path + " failed");
        return read == length ? out : java.util.Arrays.copyOf(out, read);
    }

    /**
     * Copies from a segment's mapping. A page that cannot be read (a disk's read error, the file cut short outside
     * the store) is a {@code SIGBUS}, which the JVM raises as an {@link InternalError} in this thread, possibly a
     * little later: not something to catch here ({@link dev.persist.store.StoreOptions#mappedReads}).
     */
    private static byte[] copyMapped(ByteBuffer mapped, long fileOffset, int length) {
        int n = (int) Math.max(0, Math.min(length, mapped.capacity() - fileOffset));
        byte[] out = new byte[n];
        mapped.get((int) fileOffset, out, 0, n);
        return out;
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
    private <T> T retryingOnInterrupt(LogSegment seg, ChannelIo<T> io, java.util.function.Supplier<String> what) {
        boolean interrupted = false;
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = seg.channel;
                try {
                    return io.run(ch);
                } catch (java.nio.channels.ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    if (closing) {
                        // a call that raced close(): not an I/O failure of the store
                        throw new IllegalStateException("store " + file + " is closed", e);
                    }
                    if (attempt >= 5) {
                        throw fail(what.get(), e);
                    }
                    try {
                        reopen(seg, ch);
                    } catch (IOException reopenFailure) {
                        reopenFailure.addSuppressed(e);
                        throw fail(what.get() + " (and reopening the log failed)", reopenFailure);
                    }
                } catch (IOException | RuntimeException e) {
                    throw fail(what.get(), e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void reopen(LogSegment seg, FileChannel broken) throws IOException {
        if (seg.channel == broken) {
            seg.channel = fs.open(seg.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    /**
     * For a shrink, once every record it copied is fsynced: forgets the segments up to {@code last} and closes them,
     * never the one being written, and releases their mappings. The caller holds the store's disk lock (write
     * side), so no read is in them.
     *
     * @param last the number of the newest segment to retire
     * @return the retired segments, oldest first (their files are still there: the caller deletes them)
     */
    public List<LogSegment> retire(long last) {
        syncLock.lock(); // no background fsync is in a file closed here (see preseal)
        writeLock.lock();
        try {
            appendLock.lock();
            try {
                List<LogSegment> retired = new ArrayList<>();
                List<LogSegment> kept = new ArrayList<>();
                for (LogSegment seg : segments) {
                    if (seg.number <= last && seg.number < writing.number) {
                        retired.add(seg);
                        appendedRecords -= seg.records;
                    } else {
                        kept.add(seg);
                    }
                }
                publish(kept);
                for (LogSegment seg : retired) {
                    seg.unmap(); // now, not when the collector gets to it: the deleted file's space is freed with it
                    try {
                        seg.channel.close();
                    } catch (IOException ignored) {
                        // the file is deleted next; nothing of it is needed any more
                    }
                }
                return retired;
            } finally {
                appendLock.unlock();
            }
        } finally {
            writeLock.unlock();
            syncLock.unlock();
        }
    }

    /**
     * At close: releases the append window and cuts the zeros it wrote after the last record, fsyncing the cut, so
     * that the next open finds no torn tail.
     */
    private void trimWritingSegment() {
        if (window == null) {
            return;
        }
        writeLock.lock();
        try {
            LogSegment seg = writing;
            if (seg.channel == null || failure != null) {
                window.release(); // the next open cuts the zeros as a torn tail
                return;
            }
            long length = seg.offsetOf(writtenLsn);
            retryingOnInterrupt(seg, ch -> {
                if (window.trim(seg, ch, length)) {
                    ch.force(true);
                }
                return null;
            }, () -> "cutting " + seg.path + " to its last record at close failed");
        } finally {
            writeLock.unlock();
        }
    }

    /** @return the live segments, oldest first */
    public List<LogSegment> segments() {
        return List.of(segments);
    }

    /** @return the file of a live segment, to scan it; null for one whose file no byte has needed yet */
    public FileChannel channelOf(LogSegment seg) {
        return seg.channel;
    }

    /** @return the valid length of a segment: up to where the next one starts, or what is appended for the last */
    public long lengthOf(LogSegment seg) {
        appendLock.lock();
        try {
            long end = seg.endLsn == Long.MAX_VALUE ? appendedLsn : seg.endLsn;
            return end - seg.baseLsn;
        } finally {
            appendLock.unlock();
        }
    }

    /** @return the records in a segment */
    public long recordsOf(LogSegment seg) {
        appendLock.lock();
        try {
            return seg.records;
        } finally {
            appendLock.unlock();
        }
    }

    /** @return the segment records are appended to now */
    public LogSegment activeSegment() {
        appendLock.lock();
        try {
            return active;
        } finally {
            appendLock.unlock();
        }
    }

    /** @return the segment the last written bytes are in (its file exists); the file the store checks is in place */
    public LogSegment writingSegment() {
        writeLock.lock();
        try {
            return writing;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * @param lsn where a record starts
     * @return its position ({@link DiskIndex#position(long, long)}); for a record just appended, before a shrink can
     *         retire its segment
     */
    public long position(long lsn) {
        LogSegment[] now = segments;
        for (int i = now.length - 1; i >= 0; i--) {
            if (now[i].firstLsn() <= lsn) {
                return DiskIndex.position(now[i].number, now[i].offsetOf(lsn));
            }
        }
        throw new IllegalArgumentException("LSN " + lsn + " is before the log's first segment");
    }

    /**
     * @param position a position in the log (segment slot and offset)
     * @return where it is, for a message: "offset N of &lt;segment file&gt;"
     */
    public String describe(long position) {
        LogSegment seg = bySlot[DiskIndex.slotOfPosition(position)];
        return "offset " + DiskIndex.offsetOfPosition(position) + " of "
                + (seg == null ? "a retired segment (slot " + DiskIndex.slotOfPosition(position) + ")" : seg.path);
    }

    /**
     * @param position a position in a live segment
     * @return the LSN of that byte (0 if no live segment has its slot): positions in log order have growing LSNs,
     *         whichever segments they are in
     */
    public long lsnOf(long position) {
        LogSegment seg = bySlot[DiskIndex.slotOfPosition(position)];
        return seg == null ? 0 : seg.baseLsn + DiskIndex.offsetOfPosition(position);
    }

    /**
     * A point of the log up to which every record appended is written: what an index file covers.
     *
     * @param segment the segment it is in
     * @param channel that segment's file
     * @param offset  its offset in that file
     * @param lsn     its LSN: records that start before it are covered
     * @param records records in the log before it
     */
    public record WrittenPoint(LogSegment segment, FileChannel channel, long offset, long lsn, long records) {
    }

    /** @return the end of everything appended so far, once it is written */
    public WrittenPoint writtenPoint() {
        long lsn;
        long records;
        appendLock.lock();
        try {
            lsn = appendedLsn;
            records = appendedRecords;
        } finally {
            appendLock.unlock();
        }
        awaitWritten(lsn);
        for (LogSegment seg : segments) {
            if (lsn <= seg.endLsn && seg.channel != null) {
                return new WrittenPoint(seg, seg.channel, seg.offsetOf(lsn), lsn, records);
            }
        }
        throw new IllegalStateException("no segment holds LSN " + lsn);
    }

    /** @return the LSN of the oldest live segment's first byte */
    public long firstLsn() {
        return segments[0].baseLsn;
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

    /** @return the bytes of every live segment, headers included */
    public long logBytes() {
        appendLock.lock();
        try {
            LogSegment[] now = segments;
            return appendedLsn - now[0].baseLsn + (long) (now.length - 1) * RecordFormat.HEADER_SIZE;
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

    /**
     * Releases the segments' mappings and closes their files. The caller holds the store's disk lock (write side), so
     * no read is copying from a mapping.
     *
     * @throws IOException if closing a file failed (every file is closed all the same)
     */
    public void close() throws IOException {
        IOException first = null;
        try {
            trimWritingSegment();
        } catch (RuntimeException e) {
            first = new IOException("cutting the zeros after the last record of " + file + " at close failed", e);
        }
        closing = true;
        for (LogSegment seg : segments) {
            seg.unmap();
            FileChannel ch = seg.channel;
            if (ch == null) {
                continue;
            }
            try {
                ch.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
