package dev.persist.store.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads the records of a log file in order, checking each one's length and CRC.
 *
 * <p>Where a record is damaged, it looks further for any valid record: none means the damage is a torn tail
 * (the writer died mid-record, to be truncated); one means corruption in the middle of the log, unless the damage
 * has the shape a power cut gives writes that were never fsynced ({@link #unwrittenAt}).
 */
public final class LogScanner {
    /** Receives each valid record; the record's arrays are reused after the call returns. */
    public interface Visitor {
        void record(long offset, RecordFormat.Record record);
    }

    /** Where and why a scan stopped early. */
    public record Damage(long offset, String reason) {
    }

    private static final int READ_SIZE = 1 << 20;
    /** The unit a disk writes whole: a power cut tears writes at its boundaries. */
    static final int SECTOR = 512;
    /**
     * The least zero bytes at a record's start that count as an unwritten sector's tail by themselves: the whole
     * length field (a length of 0 is never written). Fewer could be the high bytes of the length, which are zero in
     * most records: then the record must also be whole with the length its neighbour gives it
     * ({@link #wholeWithLengthUpTo}).
     */
    private static final int MIN_ZERO_HEAD = 4;

    private final FileChannel channel;
    private final long fileSize;

    public LogScanner(FileChannel channel, long fileSize) {
        this.channel = channel;
        this.fileSize = fileSize;
    }

    /**
     * Visits valid records from {@code start} until the end of the file or the first damaged record.
     *
     * @return null if every byte up to the end of the file was valid, else where the damage starts
     */
    public Damage scan(long start, Visitor visitor) throws IOException {
        byte[] buf = new byte[READ_SIZE];
        int bufStart = 0;
        int bufEnd = 0;
        long bufFileOffset = start; // file offset of buf[0]
        long pos = start;
        RecordFormat.Record rec = new RecordFormat.Record();
        while (pos < fileSize) {
            int inBuf = bufEnd - bufStart;
            if (inBuf < RecordFormat.RECORD_PREFIX) {
                // compact and refill
                if (pos + RecordFormat.RECORD_PREFIX > fileSize) {
                    return new Damage(pos, "incomplete record header (" + (fileSize - pos) + " bytes)");
                }
                System.arraycopy(buf, bufStart, buf, 0, inBuf);
                bufFileOffset = pos;
                bufStart = 0;
                bufEnd = inBuf + fill(buf, inBuf, buf.length - inBuf, pos + inBuf);
                continue;
            }
            int body = readInt(buf, bufStart);
            if (body < RecordFormat.MIN_BODY || body > RecordFormat.MAX_BODY) {
                return new Damage(pos, "invalid record length " + Integer.toUnsignedString(body));
            }
            int total = RecordFormat.RECORD_PREFIX + body;
            if (pos + total > fileSize) {
                return new Damage(pos, "record of " + total + " bytes runs past the end of the file");
            }
            if (inBuf < total) {
                if (total > buf.length) {
                    byte[] bigger = new byte[Math.max(total, buf.length * 2)];
                    System.arraycopy(buf, bufStart, bigger, 0, inBuf);
                    buf = bigger;
                } else {
                    System.arraycopy(buf, bufStart, buf, 0, inBuf);
                }
                bufFileOffset = pos;
                bufStart = 0;
                bufEnd = inBuf + fill(buf, inBuf, buf.length - inBuf, pos + inBuf);
                continue;
            }
            int stored = readInt(buf, bufStart + 4);
            if (stored != RecordFormat.crc(buf, bufStart, total)) {
                return new Damage(pos, "checksum mismatch");
            }
            if (!RecordFormat.parseBody(buf, bufStart, total, rec)) {
                return new Damage(pos, "malformed record body");
            }
            visitor.record(pos, rec);
            bufStart += total;
            pos += total;
        }
        assert bufFileOffset >= 0;
        return null;
    }

    /**
     * Looks for a valid record starting anywhere after {@code from}: a byte-by-byte search used only on the failure
     * path, over a sliding window of the file (one read per window, not one per candidate offset).
     *
     * @return its offset, or -1 if there is none
     */
    public long findNextValidRecord(long from) throws IOException {
        byte[] window = new byte[READ_SIZE];
        long windowStart = from;
        int windowLength = 0;
        RecordFormat.Record scratch = new RecordFormat.Record();
        for (long p = from; p + RecordFormat.RECORD_PREFIX + RecordFormat.MIN_BODY <= fileSize; p++) {
            if (p + RecordFormat.RECORD_PREFIX > windowStart + windowLength) {
                windowStart = p;
                windowLength = fill(window, 0, window.length, p);
                if (windowLength < RecordFormat.RECORD_PREFIX) {
                    return -1;
                }
            }
            int at = (int) (p - windowStart);
            int body = readInt(window, at);
            if (body < RecordFormat.MIN_BODY || body > RecordFormat.MAX_BODY || p + 8L + body > fileSize) {
                continue;
            }
            int total = RecordFormat.RECORD_PREFIX + body;
            byte[] buf;
            int off;
            if (at + total <= windowLength) {
                buf = window;
                off = at;
            } else {
                buf = new byte[total];
                off = 0;
                readAt(buf, 0, total, p);
            }
            if (readInt(buf, off + 4) == RecordFormat.crc(buf, off, total)
                    && RecordFormat.parseBody(buf, off, total, scratch)) {
                return p;
            }
        }
        return -1;
    }

    /**
     * The open-time rule for damage, shared by {@link LogReplay} (which truncates) and the read-only verification
     * ({@code LogFiles}), so that both report the same thing: damage with no valid record after it is a torn tail,
     * and so is damage with the shape a power cut leaves in writes never fsynced ({@link #unwrittenAt}); anything
     * else is corruption in the middle of the log.
     *
     * @param damageOffset the first damaged record
     * @return the offset of the first valid record after the damage, or -1 if everything from {@code damageOffset} on
     *         is a torn tail (may be cut off)
     */
    public long nextRecordAfterDamage(long damageOffset) throws IOException {
        long next = findNextValidRecord(damageOffset + 1);
        if (next >= 0 && unwrittenAt(damageOffset, next)) {
            return -1;
        }
        return next;
    }

    /**
     * Whether a file no longer than the header and not holding the whole header is what a creation cut short leaves:
     * each byte is the header's or zero. Zeros too, because a power cut can keep the file's size and lose the header's
     * sector (it reads as zeros); the header is fsynced before any record is appended, so such a file never held a
     * record. Open rewrites the header of such a file; verification reports it as a torn tail.
     *
     * @param head the file's bytes, at most {@link RecordFormat#HEADER_SIZE}
     */
    public static boolean creationCutShort(byte[] head) {
        byte[] expected = RecordFormat.header();
        if (head.length > expected.length) {
            return false;
        }
        for (int i = 0; i < head.length; i++) {
            if (head[i] != expected[i] && head[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether damage at {@code offset}, with a valid record at {@code next} after it, has the shape a power cut leaves
     * in writes that were never fsynced, rather than that of corruption. The disk writes 512-byte sectors whole, each
     * with what the page cache held when it was written back; a sector that a lost write should have reached holds
     * zeros from where that write began to the sector's end (a newly allocated block reads as zeros). Writes start at
     * record boundaries, so the first damaged record then holds such a run: from its own start to its sector's end,
     * or a whole sector from a sector boundary inside it. A flipped byte or a bad length in written data has no such
     * run (unless a value holds 512 aligned zero bytes next to the damage).
     *
     * <p>Such damage lies after the last fsync: an fsync covers every byte written before it, so no durable byte can
     * be missing. Everything from {@code offset} on was never durable, and may be cut off like a torn tail.
     *
     * @param offset the first damaged record
     * @param next   the first valid record after it
     */
    public boolean unwrittenAt(long offset, long next) throws IOException {
        byte[] prefix = new byte[RecordFormat.RECORD_PREFIX];
        long limit = Math.min(next, offset + RecordFormat.RECORD_PREFIX);
        if (readAt(prefix, 0, prefix.length, offset) == prefix.length) {
            int body = readInt(prefix, 0);
            if (body >= RecordFormat.MIN_BODY && body <= RecordFormat.MAX_BODY) {
                limit = Math.min(next, offset + RecordFormat.RECORD_PREFIX + body);
            }
        }
        long sectorEnd = (offset / SECTOR + 1) * SECTOR;
        if (allZero(offset, Math.min(sectorEnd, fileSize))
                && (sectorEnd - offset >= MIN_ZERO_HEAD || wholeWithLengthUpTo(offset, next))) {
            return true;
        }
        for (long s = sectorEnd; s < limit; s += SECTOR) {
            if (allZero(s, Math.min(s + SECTOR, fileSize))) {
                return true;
            }
        }
        return false;
    }

    /**
     * For a record whose lost sector ended within its length field (its first one to three bytes read as zeros, the
     * rest as written): whether it is a whole, valid record once its length is the distance to the next valid record,
     * which agrees with the length bytes that were kept. A flipped byte elsewhere in the record fails the checksum.
     */
    private boolean wholeWithLengthUpTo(long offset, long next) throws IOException {
        long body = next - offset - RecordFormat.RECORD_PREFIX;
        if (body < RecordFormat.MIN_BODY || body > RecordFormat.MAX_BODY) {
            return false;
        }
        int total = (int) (next - offset);
        byte[] record = new byte[total];
        if (readAt(record, 0, total, offset) < total) {
            return false;
        }
        int zeros = (int) (SECTOR - offset % SECTOR); // the length bytes the lost sector held
        byte[] length = {(byte) (body >>> 24), (byte) (body >>> 16), (byte) (body >>> 8), (byte) body};
        for (int i = zeros; i < 4; i++) {
            if (record[i] != length[i]) {
                return false;
            }
        }
        System.arraycopy(length, 0, record, 0, 4);
        return readInt(record, 4) == RecordFormat.crc(record, 0, total)
                && RecordFormat.parseBody(record, 0, total, new RecordFormat.Record());
    }

    /**
     * Whether nothing but zero bytes runs from {@code from} to the end of the file: from where a record would start,
     * that is the zeros written ahead of mapped appends (a running store's, or left by a crash), or a file's end that
     * a power cut left unwritten; no byte of a record is in them.
     *
     * @param from where the next record would start
     * @return true if every byte from there to the end is zero (or the file already ends there)
     * @throws IOException if the file cannot be read
     */
    public boolean zerosToTheEnd(long from) throws IOException {
        byte[] chunk = new byte[(int) Math.min(64 * 1024, Math.max(0, fileSize - from))];
        for (long at = from; at < fileSize; ) {
            int n = readAt(chunk, 0, (int) Math.min(chunk.length, fileSize - at), at);
            if (n <= 0) {
                return true; // cut shorter meanwhile (a running store's roll or close): nothing else there
            }
            for (int i = 0; i < n; i++) {
                if (chunk[i] != 0) {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }

    private boolean allZero(long from, long to) throws IOException {
        byte[] b = new byte[(int) (to - from)];
        if (readAt(b, 0, b.length, from) < b.length) {
            return false;
        }
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private int fill(byte[] buf, int off, int len, long filePos) throws IOException {
        long want = Math.min(len, fileSize - filePos);
        return readAt(buf, off, (int) want, filePos);
    }

    private int readAt(byte[] buf, int off, int len, long filePos) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        int total = 0;
        while (bb.hasRemaining()) {
            int n = channel.read(bb, filePos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    public static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
