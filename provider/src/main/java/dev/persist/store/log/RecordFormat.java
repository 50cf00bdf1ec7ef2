package dev.persist.store.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The binary layout of the log. Big-endian throughout.
 *
 * <pre>
 * header  (16 bytes): magic "PJCLOG\r\n" | u32 version (1) | u32 CRC32C of the 12 bytes before it
 * record:             u32 bodyLength | u32 CRC32C of (the 4 length bytes + body) | body
 * body:               u8 type (1 = SET, 2 = DELETE), plus 0x10 if the record is the first of a pair (below)
 *                     varint namespaceLength | namespace (UTF-8)
 *                     varint keyLength       | key bytes
 *                     value bytes (SET only: the rest of the body)
 * </pre>
 *
 * Lengths are explicit, so keys and values may hold any bytes; the CRC covers the length, so a torn or flipped
 * length is detected like any other damaged byte.
 *
 * <p>A <em>pair</em> is a companion map's record and the record of the change it accompanies, appended as one
 * ({@link LogWriter#appendPair}): the first carries {@link #PAIRED}, and the open applies it only if the second follows
 * it. A write cut between the two (a power cut, or a process killed between two pages of one {@code write(2)}) then
 * loses both, never keeps the companion's record without its change. Versions before the flag read such a log as
 * damaged.
 */
public final class RecordFormat {
    public static final byte[] MAGIC = "PJCLOG\r\n".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 16;
    public static final int RECORD_PREFIX = 8;
    public static final byte SET = 1;
    public static final byte DELETE = 2;
    /** The type byte's flag of a pair's first record: the record after it completes the change. */
    public static final byte PAIRED = 0x10;
    /** Smallest body: type byte and two zero-length varints. */
    public static final int MIN_BODY = 3;
    /** A length above this is damage, not a record: it keeps a flipped length from asking for gigabytes. */
    public static final int MAX_BODY = 128 * 1024 * 1024;

    private RecordFormat() {
    }

    public static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
        b.put(MAGIC).putInt(VERSION);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** @return null if the header is valid, else why not */
    public static String checkHeader(byte[] h) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (h[i] != MAGIC[i]) {
                return "not a persist-jcache log (bad magic bytes)";
            }
        }
        ByteBuffer b = ByteBuffer.wrap(h);
        CRC32C crc = new CRC32C();
        crc.update(h, 0, 12);
        if (b.getInt(12) != (int) crc.getValue()) {
            return "header checksum mismatch";
        }
        int version = b.getInt(8);
        if (version != VERSION) {
            return "unsupported log format version " + version + " (this build reads version " + VERSION + ")";
        }
        return null;
    }

    public static byte[] encodeSet(byte[] namespace, byte[] key, byte[] value) {
        return encode(SET, namespace, key, value);
    }

    public static byte[] encodeDelete(byte[] namespace, byte[] key) {
        return encode(DELETE, namespace, key, null);
    }

    private static byte[] encode(byte type, byte[] namespace, byte[] key, byte[] value) {
        long body = 1L + varintSize(namespace.length) + namespace.length + varintSize(key.length) + key.length
                + (value == null ? 0 : value.length);
        if (body > MAX_BODY) {
            throw new IllegalArgumentException("record of " + body + " bytes exceeds the maximum of " + MAX_BODY);
        }
        byte[] out = new byte[RECORD_PREFIX + (int) body];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt((int) body).putInt(0).put(type);
        putVarint(b, namespace.length);
        b.put(namespace);
        putVarint(b, key.length);
        b.put(key);
        if (value != null) {
            b.put(value);
        }
        b.putInt(4, crc(out, 0, out.length));
        return out;
    }

    /**
     * @param record a whole record, as encoded
     * @return a copy marked as the first record of a pair ({@link #PAIRED}), its CRC recomputed
     */
    public static byte[] paired(byte[] record) {
        return withType(record, (byte) (record[RECORD_PREFIX] | PAIRED));
    }

    /**
     * @param record a whole record
     * @return the record without the mark of a pair's first record: itself if it has none, else a copy with its CRC
     *         recomputed (a record copied apart from its partner, by a shrink, stands alone)
     */
    public static byte[] unpaired(byte[] record) {
        if ((record[RECORD_PREFIX] & PAIRED) == 0) {
            return record;
        }
        return withType(record, (byte) (record[RECORD_PREFIX] & ~PAIRED));
    }

    private static byte[] withType(byte[] record, byte type) {
        byte[] out = record.clone();
        out[RECORD_PREFIX] = type;
        ByteBuffer.wrap(out).putInt(4, crc(out, 0, out.length));
        return out;
    }

    /** CRC32C of the length field and the body: {@code buf[off..off+4)} and {@code buf[off+8..off+len)}. */
    public static int crc(byte[] buf, int off, int totalLength) {
        CRC32C c = new CRC32C();
        c.update(buf, off, 4);
        c.update(buf, off + RECORD_PREFIX, totalLength - RECORD_PREFIX);
        return (int) c.getValue();
    }

    public static int varintSize(int v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    public static void putVarint(ByteBuffer b, int v) {
        while ((v & ~0x7F) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    /** A decoded record: views into one byte array. */
    public static final class Record {
        /** SET or DELETE, without the {@link #PAIRED} flag. */
        byte type;
        /** Whether the record is the first of a pair ({@link #PAIRED}). */
        boolean paired;
        byte[] buf;
        /** Offset in {@code buf} of the record's first byte (its length prefix). */
        int start;
        int nsOff;
        int nsLen;
        int keyOff;
        int keyLen;
        int valueOff;
        int valueLen;
        /** Total bytes on disk, prefix included. */
        int size;

        public byte[] key() {
            return java.util.Arrays.copyOfRange(buf, keyOff, keyOff + keyLen);
        }

        /** @return whether this is a delete (else a set) */
        public boolean isDelete() {
            return type == DELETE;
        }

        /** @return whether this is the first record of a pair: the next record completes its change */
        public boolean isPaired() {
            return paired;
        }

        /** @return total bytes on disk, prefix included */
        public int size() {
            return size;
        }

        /** @return the namespace */
        public String namespace() {
            return new String(buf, nsOff, nsLen, StandardCharsets.UTF_8);
        }

        public byte[] value() {
            return java.util.Arrays.copyOfRange(buf, valueOff, valueOff + valueLen);
        }

        /** @return the value's bytes without a copy: a read-only view, valid until this record is parsed into again */
        public java.nio.ByteBuffer valueView() {
            return java.nio.ByteBuffer.wrap(buf, valueOff, valueLen).slice().asReadOnlyBuffer();
        }

        /** @return the whole record as on disk, prefix included (a copy) */
        public byte[] bytes() {
            return java.util.Arrays.copyOfRange(buf, start, start + size);
        }

        /** @return {@link #bytes()} as a record of its own: without the mark of a pair's first record */
        public byte[] standaloneBytes() {
            return unpaired(bytes());
        }

        /** @return whether the record's namespace bytes equal {@code namespace} */
        public boolean namespaceIs(byte[] namespace) {
            return java.util.Arrays.equals(buf, nsOff, nsOff + nsLen, namespace, 0, namespace.length);
        }

        /** @return whether the record's key bytes equal {@code key} */
        public boolean keyIs(byte[] key) {
            return java.util.Arrays.equals(buf, keyOff, keyOff + keyLen, key, 0, key.length);
        }
    }

    /**
     * Checks and parses one whole record read back from its known place (a disk-resident entry): length, CRC and
     * body, as the scanner does.
     *
     * @param buf the record's bytes, prefix included, exactly
     * @param r   receives the parsed views
     * @return null if valid, else what is wrong
     */
    public static String check(byte[] buf, Record r) {
        if (buf.length < RECORD_PREFIX + MIN_BODY) {
            return "record of " + buf.length + " bytes is too short";
        }
        int body = LogScanner.readInt(buf, 0);
        if (body != buf.length - RECORD_PREFIX) {
            return "length field " + Integer.toUnsignedString(body) + " does not match the indexed length "
                    + (buf.length - RECORD_PREFIX);
        }
        if (LogScanner.readInt(buf, 4) != crc(buf, 0, buf.length)) {
            return "checksum mismatch";
        }
        if (!parseBody(buf, 0, buf.length, r)) {
            return "malformed record body";
        }
        return null;
    }

    /**
     * Parses the record at {@code buf[off..off+available)} whose CRC and length were already checked.
     *
     * @return false if the body is malformed (a varint runs past the body, unknown type)
     */
    public static boolean parseBody(byte[] buf, int off, int totalLength, Record r) {
        int end = off + totalLength;
        int p = off + RECORD_PREFIX;
        byte raw = buf[p++];
        byte type = (byte) (raw & ~PAIRED);
        if (type != SET && type != DELETE) {
            return false;
        }
        long[] cursor = {p};
        int nsLen = readVarint(buf, cursor, end);
        if (nsLen < 0 || cursor[0] + nsLen > end) {
            return false;
        }
        int nsOff = (int) cursor[0];
        cursor[0] += nsLen;
        int keyLen = readVarint(buf, cursor, end);
        if (keyLen < 0 || cursor[0] + keyLen > end) {
            return false;
        }
        int keyOff = (int) cursor[0];
        int valueOff = keyOff + keyLen;
        if (type == DELETE && valueOff != end) {
            return false;
        }
        r.type = type;
        r.paired = (raw & PAIRED) != 0;
        r.buf = buf;
        r.start = off;
        r.nsOff = nsOff;
        r.nsLen = nsLen;
        r.keyOff = keyOff;
        r.keyLen = keyLen;
        r.valueOff = valueOff;
        r.valueLen = end - valueOff;
        r.size = totalLength;
        return true;
    }

    /** @return the value, or -1 if the varint is malformed or runs past {@code end} */
    private static int readVarint(byte[] buf, long[] cursor, int end) {
        int p = (int) cursor[0];
        int result = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            if (p >= end) {
                return -1;
            }
            byte b = buf[p++];
            result |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                cursor[0] = p;
                return result < 0 ? -1 : result;
            }
        }
        return -1;
    }
}
