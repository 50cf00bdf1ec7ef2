package dev.persist.store.log;

import dev.persist.store.CorruptLogException;
import dev.persist.store.StoreException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Opening a log: reads its segment files in order, checks (or, for the last, writes) each header, reads every record
 * into the raw last-value-wins state of each namespace, cuts a torn tail of the last segment, and refuses, or with
 * salvage skips, damage anywhere else. A segment before the last was fsynced whole before the next one was created,
 * so a power cut cannot have damaged it: damage there is corruption, whatever its shape.
 *
 * <p>Records of a disk-backed namespace are not held: the replay keeps only where each key's last record is
 * ({@link DiskIndex}). Given a trusted {@link IndexHint}, the replay starts from its state and reads only the records
 * after the position it covers (in its segment, and every later segment).
 */
public final class LogReplay {
    /** Live raw entries of each namespace after replay. */
    public final Map<String, Map<ByteKey, byte[]>> namespaces = new HashMap<>();
    /** Indexes of the disk-backed namespaces after replay. */
    public final Map<String, DiskIndex> diskIndexes = new HashMap<>();
    /** Whether the replay started from an index file rather than the log's first record. */
    public boolean fromHint;
    /** Records of every segment. */
    public long records;
    /** The valid length of the last segment read (after a torn tail was cut). */
    public long validEnd;
    public long tornBytes;
    /**
     * Of {@link #tornBytes}, those cut as zeros past the last record ({@link LogScanner#zerosToTheEnd}): what mapped
     * appends leave after a crash, not a damaged record.
     */
    public long zeroTailBytes;
    public long salvagedBytes;
    /** Whether the last segment was empty (a new log). */
    public boolean created;
    /** Every segment read, in order, with its valid length and its records: what the writer goes on from. */
    public final List<LogSegment.Opened> segments = new ArrayList<>();

    private Path file;
    private FileChannel channel;
    private long segment;
    private final boolean salvage;
    private final Predicate<String> disk;
    private final IndexHint.Loaded hint;

    /** Applies a pair's first record only with its second ({@link RecordFormat#PAIRED}). */
    private final PairedRecords pairs = new PairedRecords(this::apply);

    // the namespace of the previous record: consecutive records usually share one, so this saves a decode
    private byte[] lastNsBytes = new byte[0];
    private String lastNs;

    private LogReplay(boolean salvage, Predicate<String> disk, IndexHint.Loaded hint) {
        this.salvage = salvage;
        this.disk = disk;
        this.hint = hint;
    }

    /** Replays a log of one file (segment 0), with nothing disk-backed and no index file. */
    public static LogReplay run(Path file, FileChannel channel, boolean salvage) throws IOException {
        return run(List.of(new Input(0, file, channel)), salvage, ns -> false, null);
    }

    /** One segment file to replay. */
    public record Input(long number, Path path, FileChannel channel) {
    }

    /**
     * @param segments the log's segment files, oldest first, open for reading and writing; at least one
     * @param disk     which namespaces are disk-backed (indexed, not held), for those the hint does not name
     * @param hint     a trusted index file's content, or null to replay the whole log
     */
    public static LogReplay run(List<Input> segments, boolean salvage, Predicate<String> disk,
                                IndexHint.Loaded hint) throws IOException {
        LogReplay r = new LogReplay(salvage, disk, hint);
        boolean skipping = hint != null;
        for (int i = 0; i < segments.size(); i++) {
            Input in = segments.get(i);
            r.file = in.path();
            r.channel = in.channel();
            r.segment = in.number();
            long start = RecordFormat.HEADER_SIZE;
            long before = r.records;
            if (skipping && in.number() == hint.coveredSegment) {
                r.namespaces.putAll(hint.values);
                r.diskIndexes.putAll(hint.indexes);
                r.records = hint.records;
                r.fromHint = true;
                skipping = false;
                start = hint.coveredOffset;
            }
            // the records the index file covers count as its covered segment's (it does not say which segment holds
            // them): they only feed statistics and auto-shrink's estimate
            r.replay(i == segments.size() - 1, skipping ? -1 : start);
            r.segments.add(LogSegment.opened(in.number(), in.path(), in.channel(), r.validEnd, r.records - before));
        }
        return r;
    }

    /**
     * Replays one segment.
     *
     * @param last  whether it is the last segment (the only one that may have a torn tail)
     * @param start where to start reading records, or -1 to only check its header (the index file covers it)
     */
    private void replay(boolean last, long start) throws IOException {
        long size = channel.size();
        byte[] expected = RecordFormat.header();
        if (size <= RecordFormat.HEADER_SIZE && !creationComplete(size, expected)) {
            byte[] head = new byte[(int) size];
            channel.read(ByteBuffer.wrap(head), 0);
            if (!last || !LogScanner.creationCutShort(head)) {
                throw new CorruptLogException(file, 0, "not a persist-jcache log (" + size + " bytes, bad header)"
                        + (last ? "" : "; it is not the last segment, which alone can be cut short"));
            }
            // a new file, or one whose creation was cut short: (re)write the header
            channel.truncate(0);
            ByteBuffer bb = ByteBuffer.wrap(expected);
            while (bb.hasRemaining()) {
                channel.write(bb, bb.position());
            }
            channel.force(true);
            created = size == 0;
            tornBytes += size;
            validEnd = RecordFormat.HEADER_SIZE;
            return;
        }
        created = false;
        byte[] head = new byte[RecordFormat.HEADER_SIZE];
        channel.read(ByteBuffer.wrap(head), 0);
        String bad = RecordFormat.checkHeader(head);
        if (bad != null) {
            throw new CorruptLogException(file, 0, bad);
        }
        if (start < 0) {
            validEnd = size;
            return;
        }
        LogScanner scanner = new LogScanner(channel, size);
        long pos = start;
        while (true) {
            LogScanner.Damage damage = scanner.scan(pos, pairs);
            long pairStart = pairs.dropHeld();
            if (damage == null) {
                if (pairStart >= 0 && last) {
                    // the write of a pair was cut right after its first record: nothing of it was durable
                    cutTail(pairStart, size);
                    return;
                }
                if (pairStart >= 0) {
                    // pairs never span segments and this one was fsynced whole: no crash leaves half a pair here
                    if (!salvage) {
                        throw new CorruptLogException(file, pairStart, "the first record of a pair whose second is "
                                + "not there, at the end of a segment that is not the last of the log (open with "
                                + "salvage to skip its " + (size - pairStart) + " bytes)");
                    }
                    salvagedBytes += size - pairStart;
                }
                validEnd = size;
                return;
            }
            long next = scanner.nextRecordAfterDamage(damage.offset());
            if (next < 0 && last) {
                // nothing valid after it: the writer died mid-record; or a power cut kept some of the writes after
                // the last fsync and not others: nothing from here on was ever durable (nor is the first record of
                // a pair whose second is in it)
                if (pairStart < 0 && scanner.zerosToTheEnd(damage.offset())) {
                    zeroTailBytes += size - damage.offset();
                }
                cutTail(pairStart >= 0 ? pairStart : damage.offset(), size);
                return;
            }
            if (!salvage) {
                String where = next < 0 ? "; nothing valid follows, but this is not the last segment of the log, "
                        + "which was fsynced whole before the next one was created (open with salvage to skip "
                        + (size - damage.offset()) + " damaged bytes)"
                        : "; valid records follow at offset " + next + " (open with salvage to skip "
                        + (next - damage.offset()) + " damaged bytes)";
                throw new CorruptLogException(file, damage.offset(), damage.reason() + where);
            }
            long skippedFrom = pairStart >= 0 ? pairStart : damage.offset();
            if (next < 0) {
                salvagedBytes += size - skippedFrom;
                validEnd = size;
                return;
            }
            salvagedBytes += next - skippedFrom;
            pos = next;
        }
    }

    /** Truncates the last segment at {@code at}: a torn tail. */
    private void cutTail(long at, long size) throws IOException {
        validEnd = at;
        tornBytes += size - at;
        channel.truncate(validEnd);
        channel.force(true);
    }

    /** @return whether a file of {@code size} bytes, at most a header's, holds the whole header */
    private boolean creationComplete(long size, byte[] expected) throws IOException {
        if (size < RecordFormat.HEADER_SIZE) {
            return false;
        }
        byte[] head = new byte[RecordFormat.HEADER_SIZE];
        channel.read(ByteBuffer.wrap(head), 0);
        return Arrays.equals(head, expected);
    }

    private void apply(long offset, RecordFormat.Record r) {
        records++;
        String ns = namespace(r);
        DiskIndex index = diskIndexOf(ns);
        if (index != null) {
            if (r.type == RecordFormat.SET) {
                index.put(r.key(), position(offset), r.size);
            } else {
                index.remove(r.key());
            }
            return;
        }
        Map<ByteKey, byte[]> entries = namespaces.computeIfAbsent(ns, k -> new HashMap<>());
        ByteKey key = new ByteKey(r.key());
        if (r.type == RecordFormat.SET) {
            entries.put(key, r.value());
        } else {
            entries.remove(key);
        }
    }

    private long position(long offset) {
        if (offset > DiskIndex.MAX_SEGMENT_OFFSET) {
            throw new StoreException("log file " + file + " holds a record of a disk-backed namespace at offset "
                        + offset + ", beyond the " + DiskIndex.MAX_SEGMENT_OFFSET + " bytes of one segment file that "
                        + "a disk index can address (a log written as one file before segments). Open it once with "
                        + "that namespace held in memory (StoreOptions.diskNamespaces, or the cache without 'disk') "
                        + "and shrink it: the shrink rewrites its live records into segments of the configured size");
        }
        return DiskIndex.position(segment, offset);
    }

    /** @return the index of a disk-backed namespace, created at its first record, or null if it is held */
    private DiskIndex diskIndexOf(String ns) {
        DiskIndex index = diskIndexes.get(ns);
        if (index != null || namespaces.containsKey(ns) || !disk.test(ns)) {
            return index;
        }
        index = new DiskIndex();
        diskIndexes.put(ns, index);
        return index;
    }

    private String namespace(RecordFormat.Record r) {
        if (r.nsLen == lastNsBytes.length
                && Arrays.equals(r.buf, r.nsOff, r.nsOff + r.nsLen, lastNsBytes, 0, lastNsBytes.length)) {
            return lastNs;
        }
        lastNsBytes = Arrays.copyOfRange(r.buf, r.nsOff, r.nsOff + r.nsLen);
        lastNs = new String(lastNsBytes, StandardCharsets.UTF_8);
        return lastNs;
    }
}
