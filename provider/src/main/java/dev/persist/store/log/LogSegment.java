package dev.persist.store.log;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One segment file of the log, as the {@link LogWriter} tracks it. Log sequence numbers (LSNs) run on across
 * segments: a segment's first record starts at the LSN where the previous segment's last record ends, so the LSN
 * order of two records is their log order whichever segments they are in.
 */
public final class LogSegment {
    /** The segment's number (see {@link SegmentFiles}). */
    public final long number;
    /** Its file. */
    public final Path path;
    /** The LSN of the file's offset 0: a record's file offset is its LSN minus this. */
    final long baseLsn;
    /** The open file; null for a segment that rolling has begun but whose file no byte has needed yet. */
    volatile FileChannel channel;
    /** Where the next segment's records start; {@code Long.MAX_VALUE} while this is the last segment. */
    volatile long endLsn = Long.MAX_VALUE;
    /** Records appended to it (replayed at open, or appended since). Guarded by the writer's append lock. */
    long records;
    /** The LSN up to which its file is known to be fsynced; only grows. */
    private volatile long durableLsn;
    /**
     * The file mapped for reads, once sealed and first read ({@link #mapping}); {@link SegmentMapping#UNMAPPED} once
     * released, null before.
     */
    private volatile SegmentMapping mapping;

    LogSegment(long number, Path path, long baseLsn, FileChannel channel, long records) {
        this.number = number;
        this.path = path;
        this.baseLsn = baseLsn;
        this.channel = channel;
        this.records = records;
        this.durableLsn = firstLsn(); // a new file's header is fsynced before any record is written to it
    }

    /** @param lsn an LSN up to which the file has been fsynced */
    synchronized void noteDurable(long lsn) {
        if (lsn > durableLsn) {
            durableLsn = lsn;
        }
    }

    /** @return the LSN up to which the file is known to be fsynced */
    long durableLsn() {
        return durableLsn;
    }

    /**
     * The segment's mapped bytes for a read, the file mapped on the first read once the segment is sealed and
     * written to its end. The caller keeps {@link #unmap} from running until it has copied what it needs.
     *
     * @return the mapped bytes (read-only, from offset 0 to the segment's end), or null if reads of this segment use
     *         its channel: not sealed yet, not all written yet, not mappable, or unmapped
     */
    java.nio.ByteBuffer mappedBytes() {
        SegmentMapping m = mapping;
        return (m != null ? m : map()).bytes();
    }

    private synchronized SegmentMapping map() {
        SegmentMapping m = mapping;
        if (m != null) {
            return m;
        }
        long end = endLsn;
        FileChannel ch = channel;
        if (end == Long.MAX_VALUE || ch == null) {
            return SegmentMapping.NOT_MAPPED; // the last segment still grows: asked again once it is sealed
        }
        long length = end - baseLsn;
        try {
            if (ch.size() < length) {
                // its last bytes are not written yet; mapping past the end of a writable file would extend it
                return SegmentMapping.NOT_MAPPED;
            }
        } catch (java.io.IOException e) {
            return SegmentMapping.NOT_MAPPED; // the read through the channel meets (and reports) the failure
        }
        try {
            m = SegmentMapping.map(ch, length);
        } catch (java.nio.channels.ClosedChannelException e) {
            // closed by an interrupt of the reading thread (FileChannel.map is interruptible) or by a race with
            // close: this read uses the channel, which reopens it, and a later read maps the file
            return SegmentMapping.NOT_MAPPED;
        }
        mapping = m;
        return m;
    }

    /**
     * Releases the mapping for good: the segment is retired or the log closed. The caller makes sure no read is
     * copying from it (see {@link SegmentMapping}).
     */
    synchronized void unmap() {
        SegmentMapping m = mapping;
        mapping = SegmentMapping.UNMAPPED;
        if (m != null) {
            m.release();
        }
    }

    /**
     * A segment found at open.
     *
     * @param number  its number
     * @param path    its file
     * @param channel the file, open for reading and writing
     * @param length  its valid length (after a torn tail was cut)
     * @param records the records in it
     * @return the segment, to give the writer in log order
     */
    public static Opened opened(long number, Path path, FileChannel channel, long length, long records) {
        return new Opened(number, path, channel, length, records);
    }

    /** A segment as the open found it, before the writer numbers its bytes. */
    public record Opened(long number, Path path, FileChannel channel, long length, long records) {
    }

    /** @return the file's offset of {@code lsn} */
    long offsetOf(long lsn) {
        return lsn - baseLsn;
    }

    /** @return the LSN where this segment's first record starts */
    long firstLsn() {
        return baseLsn + RecordFormat.HEADER_SIZE;
    }

    @Override
    public String toString() {
        return "segment " + number + " (" + path + ")";
    }
}
