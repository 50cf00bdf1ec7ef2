package dev.persist.store.log;

import dev.persist.store.CorruptLogException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Opening a log: checks (or writes) the header, reads every record into the raw last-value-wins state of each
 * namespace, cuts a torn tail, and refuses, or with salvage skips, damage in the middle.
 *
 * <p>Records of a disk-backed namespace are not held: the replay keeps only where each key's last record is
 * ({@link DiskIndex}). Given a trusted {@link IndexHint}, the replay starts from its state and reads only the records
 * after the bytes it covers.
 */
public final class LogReplay {
    /** Live raw entries of each namespace after replay. */
    public final Map<String, Map<ByteKey, byte[]>> namespaces = new HashMap<>();
    /** Indexes of the disk-backed namespaces after replay. */
    public final Map<String, DiskIndex> diskIndexes = new HashMap<>();
    /** Whether the replay started from an index file rather than the log's first record. */
    public boolean fromHint;
    public long records;
    public long validEnd;
    public long tornBytes;
    public long salvagedBytes;
    public boolean created;

    private final Path file;
    private final FileChannel channel;
    private final boolean salvage;
    private final Predicate<String> disk;
    private final IndexHint.Loaded hint;

    // the namespace of the previous record: consecutive records usually share one, so this saves a decode
    private byte[] lastNsBytes = new byte[0];
    private String lastNs;

    private LogReplay(Path file, FileChannel channel, boolean salvage, Predicate<String> disk,
                      IndexHint.Loaded hint) {
        this.file = file;
        this.channel = channel;
        this.salvage = salvage;
        this.disk = disk;
        this.hint = hint;
    }

    public static LogReplay run(Path file, FileChannel channel, boolean salvage) throws IOException {
        return run(file, channel, salvage, ns -> false, null);
    }

    /**
     * @param disk which namespaces are disk-backed (indexed, not held), for those the hint does not name
     * @param hint a trusted index file's content, or null to replay the whole log
     */
    public static LogReplay run(Path file, FileChannel channel, boolean salvage, Predicate<String> disk,
                                IndexHint.Loaded hint) throws IOException {
        LogReplay r = new LogReplay(file, channel, salvage, disk, hint);
        r.replay();
        return r;
    }

    private void replay() throws IOException {
        long size = channel.size();
        byte[] expected = RecordFormat.header();
        if (size <= RecordFormat.HEADER_SIZE && !creationComplete(size, expected)) {
            byte[] head = new byte[(int) size];
            channel.read(ByteBuffer.wrap(head), 0);
            if (!LogScanner.creationCutShort(head)) {
                throw new CorruptLogException(file, 0, "not a persist-jcache log (" + size + " bytes, bad header)");
            }
            // a new file, or one whose creation was cut short: (re)write the header
            channel.truncate(0);
            ByteBuffer bb = ByteBuffer.wrap(expected);
            while (bb.hasRemaining()) {
                channel.write(bb, bb.position());
            }
            channel.force(true);
            created = size == 0;
            tornBytes = size;
            validEnd = RecordFormat.HEADER_SIZE;
            return;
        }
        byte[] head = new byte[RecordFormat.HEADER_SIZE];
        channel.read(ByteBuffer.wrap(head), 0);
        String bad = RecordFormat.checkHeader(head);
        if (bad != null) {
            throw new CorruptLogException(file, 0, bad);
        }
        LogScanner scanner = new LogScanner(channel, size);
        long pos = RecordFormat.HEADER_SIZE;
        if (hint != null && hint.coveredLength <= size) {
            namespaces.putAll(hint.values);
            diskIndexes.putAll(hint.indexes);
            records = hint.records;
            pos = hint.coveredLength;
            fromHint = true;
        }
        while (true) {
            LogScanner.Damage damage = scanner.scan(pos, this::apply);
            if (damage == null) {
                validEnd = size;
                return;
            }
            long next = scanner.nextRecordAfterDamage(damage.offset());
            if (next < 0) {
                // nothing valid after it: the writer died mid-record; or a power cut kept some of the writes after
                // the last fsync and not others: nothing from here on was ever durable
                validEnd = damage.offset();
                tornBytes = size - damage.offset();
                channel.truncate(validEnd);
                channel.force(true);
                return;
            }
            if (!salvage) {
                throw new CorruptLogException(file, damage.offset(), damage.reason()
                        + "; valid records follow at offset " + next
                        + " (open with salvage to skip " + (next - damage.offset()) + " damaged bytes)");
            }
            salvagedBytes += next - damage.offset();
            pos = next;
        }
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
                index.put(r.key(), offset, r.size);
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
