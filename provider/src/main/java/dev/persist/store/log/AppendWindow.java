package dev.persist.store.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The end of the last segment's file, extended with zeros ahead of the records by a helper thread and mapped
 * read-write, so that writing the pending records is a copy into page-cache memory the file already has. What an
 * append at tier WRITE costs is mostly the kernel taking and zeroing a new page-cache page for every 4 KB the log
 * grows (more than the system call, on a virtual machine whose host hands back freed memory: benchmarks/README.md,
 * "Mapped appends"); here the helper pays it, on another core when there is one, and the writing thread copies.
 *
 * <p>What is copied into the mapping is the page cache's at once, as a {@code write} would make it: it survives the
 * process ({@code kill -9}), is what every read of the file sees, and an {@code fsync} of the file writes it to the
 * disk (Linux writes back a file's dirty pages whoever dirtied them). Which is why this is used on Linux only
 * ({@link #supported}).
 *
 * <p>A region is mapped only once the file reaches past it with zeros, written with the channel: a mapping past a
 * file's end extends it without reserving disk space, and a full disk would then fail the copy as a {@code SIGBUS}.
 * A {@code write} of zeros that fails (no room for a whole window) leaves the rest of that segment to the channel's
 * writes, which meet a full disk where they would have without a window: a store does not fail a window earlier. So
 * the last segment's file runs past its records by up to {@link #AHEAD_WINDOWS} + 1 windows of zeros: after a crash,
 * an open meets them and cuts them as a torn tail (an unwritten length field is never a record). {@link #trim} cuts
 * them when the segment ends (a sealed segment is exactly its records) and when the log closes.
 *
 * <p>The writer calls {@link #write}, {@link #trim} and {@link #release} holding its write lock; the helper only
 * extends, under this object's {@code extension} monitor, and only the segment the writer extends now.
 */
final class AppendWindow {
    /** The largest window: how much of the file one mapping covers. */
    static final int MAX_WINDOW_BYTES = 1 << 20;
    /** How many windows past the mapped one the helper keeps the file extended. */
    static final int AHEAD_WINDOWS = 3;
    /** Mappings start at a multiple of the page size (the mapping's own alignment). */
    private static final long PAGE = 4096;

    private final Executor helper;
    /** One mapping's length: a megabyte, less for small segments (each segment's end is cut back at its roll). */
    private final int windowBytes;

    /** Guards the fields below it, which the helper shares. */
    private final Object extension = new Object();
    /** The segment whose file is extended, or null. */
    private LogSegment extending;
    /** The size of that segment's file: how far it is extended. */
    private long extendedTo;
    /** Whether a helper task is queued or running. */
    private boolean aheadAsked;
    /**
     * Set when the writer falls back to the channel for the rest of the segment: its records may then run past
     * {@code extendedTo}, and zeros written there (by a helper task asked before) would overwrite them.
     */
    private boolean stopped;
    /** Zeros to extend files with; allocated on first use. */
    private ByteBuffer zeros;

    /** The segment the writer writes through this, or null. Writer only, as the rest. */
    private LogSegment segment;
    /** The mapping of {@code [start, end)} of its file, or null. */
    private SegmentMapping mapping;
    private long start;
    private long end;
    /** Set once a region of the segment could not be extended or mapped: the caller writes the rest of it. */
    private boolean failed;

    /**
     * @param helper       extends files ahead of the records in the background; one that refuses work leaves it to
     *                     the writer, in line
     * @param segmentBytes the log's segment size, which bounds the window
     */
    AppendWindow(Executor helper, long segmentBytes) {
        this.helper = helper;
        long pages = (Math.min(segmentBytes, MAX_WINDOW_BYTES) + PAGE - 1) / PAGE;
        this.windowBytes = (int) (pages * PAGE);
    }

    /** @return whether appends can go through mappings in this process: Linux and a runtime that can unmap */
    static boolean supported() {
        return System.getProperty("os.name", "").startsWith("Linux") && SegmentMapping.canMap();
    }

    /**
     * Copies bytes into a segment's file at an offset, extending and mapping its end as needed.
     *
     * @param seg     the segment being written (its file's size is where its records end, the first time)
     * @param channel its file
     * @param offset  where the bytes go: the end of the records written so far
     * @param src     the bytes
     * @param from    the first of them
     * @param length  how many
     * @return how many were copied (from the first); fewer than {@code length} only if a region could not be extended
     *         or mapped, when the caller writes the rest, and the rest of the segment, with the channel
     * @throws IOException if the channel failed or was closed by an interrupt (the caller reopens it and calls again)
     */
    int write(LogSegment seg, FileChannel channel, long offset, byte[] src, int from, int length) throws IOException {
        if (seg != segment) {
            releaseMapping();
            long size = channel.size();
            synchronized (extension) {
                extending = seg;
                extendedTo = size;
                stopped = false;
            }
            segment = seg;
            failed = false;
        }
        int done = 0;
        while (done < length && !failed) {
            long at = offset + done;
            if (mapping == null || at < start || at >= end) {
                if (!moveTo(channel, at)) {
                    break;
                }
            }
            int n = (int) Math.min(length - done, end - at);
            mapping.bytes().put((int) (at - start), src, from + done, n);
            done += n;
        }
        return done;
    }

    /** Maps the window that holds {@code at}, once the file reaches past it, and asks for the next ones. */
    private boolean moveTo(FileChannel channel, long at) throws IOException {
        releaseMapping();
        long windowStart = at - at % PAGE;
        long windowEnd = windowStart + windowBytes;
        try {
            extend(segment, channel, windowEnd); // usually the helper got there first
        } catch (java.nio.channels.ClosedChannelException e) {
            throw e; // an interrupt closed it: the writer reopens it and calls again
        } catch (IOException e) {
            // a disk without room for the window (or failing): the channel writes the records over the zeros that
            // fit, and meets a full disk only where a write without a window would have
            fallBack();
            return false;
        }
        SegmentMapping m = SegmentMapping.map(channel, FileChannel.MapMode.READ_WRITE, windowStart, windowBytes);
        if (m.bytes() == null) {
            fallBack(); // e.g. out of mappings: the channel writes over the zeros, and trim cuts what is left
            return false;
        }
        mapping = m;
        start = windowStart;
        end = windowEnd;
        extendAhead(segment, windowEnd + (long) AHEAD_WINDOWS * windowBytes);
        return true;
    }

    /** The rest of the segment is written with the channel: nothing more is extended, by the helper either. */
    private void fallBack() {
        failed = true;
        synchronized (extension) {
            stopped = true; // waits for a helper's window being written: the channel's writes come after it
        }
    }

    /** Asks the helper to extend {@code seg}'s file to {@code target}, unless it is there or already asked. */
    private void extendAhead(LogSegment seg, long target) {
        synchronized (extension) {
            if (aheadAsked || extendedTo >= target) {
                return;
            }
            aheadAsked = true;
        }
        try {
            helper.execute(() -> {
                try {
                    FileChannel ch = seg.channel;
                    if (ch != null) {
                        extend(seg, ch, target);
                    }
                } catch (IOException | RuntimeException e) {
                    // a full disk, or the channel closed under it: the writer meets it when it extends in line
                } finally {
                    synchronized (extension) {
                        aheadAsked = false;
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            synchronized (extension) {
                aheadAsked = false; // closing: the writer extends in line
            }
        }
    }

    /**
     * Writes zeros from the file's end up to {@code size}, while it is shorter and still the segment being extended:
     * a window at a time, letting go of the monitor in between, so that a writer that needs it (to extend in line, or
     * to cut the file at its roll) waits for one window's write at most.
     */
    private void extend(LogSegment seg, FileChannel channel, long size) throws IOException {
        while (true) {
            synchronized (extension) {
                if (seg != extending || stopped || extendedTo >= size) {
                    return; // there, trimmed meanwhile (its end is its records now), or the channel writes the rest
                }
                if (zeros == null) {
                    zeros = ByteBuffer.allocateDirect(MAX_WINDOW_BYTES);
                }
                ByteBuffer z = zeros.duplicate();
                z.limit((int) Math.min(windowBytes, size - extendedTo));
                // positional, so a retry after an interrupt rewrites the same zeros
                extendedTo += channel.write(z, extendedTo);
            }
        }
    }

    /**
     * Before a segment is sealed or the log closed: releases the mapping and cuts the file back to its records, if it
     * is the segment being extended. The caller fsyncs the file afterwards if the cut must be durable.
     *
     * @param seg     the segment
     * @param channel its file
     * @param length  where its records end
     * @return whether the file was cut (it was longer than its records)
     * @throws IOException if the truncation failed (called again, it cuts again)
     */
    boolean trim(LogSegment seg, FileChannel channel, long length) throws IOException {
        if (seg == segment) {
            releaseMapping();
            segment = null;
        }
        synchronized (extension) {
            if (seg != extending) {
                return false;
            }
            boolean cut = extendedTo > length;
            if (cut) {
                channel.truncate(length);
            }
            extending = null;
            return cut;
        }
    }

    /** @return whether zeros already cover {@code seg}'s file up to {@code end}: a write(2) there overwrites no record */
    boolean covers(LogSegment seg, long end) {
        synchronized (extension) {
            return seg == extending && !stopped && end <= extendedTo;
        }
    }

    /** Releases the mapping, keeping what it wrote (the page cache's already), and extends nothing more. */
    void release() {
        releaseMapping();
        segment = null;
        synchronized (extension) {
            extending = null;
        }
    }

    private void releaseMapping() {
        SegmentMapping m = mapping;
        mapping = null;
        if (m != null) {
            m.release();
        }
    }
}
