package dev.persist.store.log;

import dev.persist.store.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The index file ({@code <log>.index}): what a replay of the log up to a position (segment {@code coveredSegment},
 * offset {@code coveredOffset} in it) would build, written when the store closes, so that an open reads it and
 * replays only the records after it instead of the whole log.
 *
 * <pre>
 * header  (44 bytes): magic "PJCINDX\n" | u32 version (3) | u64 coveredSegment | u64 coveredOffset | u64 records
 *                     | u32 CRC32C of the covered segment's last (up to 64 KiB) bytes before coveredOffset
 *                     | u32 CRC32C of the 40 bytes before it
 * entries:            u8 1 | u32 length | a log record (SET), for a key of a namespace held in memory
 *                     u8 3 | varint id | varint nsLength | namespace | u32 expected keys,
 *                          a disk-backed namespace, before its keys (the count sizes its index at once)
 *                     u8 2 | varint namespace id | varint keyLength | key | u64 packed location
 *                          [| u32 length, if the location's length field is 0], for a key of a disk-backed
 *                          namespace (see {@link DiskIndex#pack})
 * end:                u8 0 | u64 entries | u32 CRC32C of every byte from the end of the header to here
 * </pre>
 *
 * <p>It is trusted only if both checksums hold (a torn or damaged file is ignored), if the covered segment is one of
 * the log's and holds at least {@code coveredOffset} bytes whose last 64 KiB have the recorded checksum, and if every
 * location is in a segment the log still has, before the covered position: a log shrunk, replaced, restored or cut
 * since is not the log the file describes. A file of an earlier version (1: from before segments; 2: from before the
 * plain mark in locations) is not used. Otherwise the open scans the whole log, as without the file. The
 * header is written last, and the file is fsynced and renamed over the old one, so a crash leaves the old file or the
 * new one.
 */
public final class IndexHint {
    private static final System.Logger LOG = System.getLogger(IndexHint.class.getName());
    static final byte[] MAGIC = "PJCINDX\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 3;
    static final int HEADER_SIZE = 44;
    static final int TAIL_CHECK = 64 * 1024;
    static final byte END = 0;
    static final byte VALUE = 1;
    static final byte LOCATION = 2;
    static final byte NAMESPACE = 3;
    /** The fewest bytes a location entry takes: tag, one-byte id and key length, 8 bytes of location. */
    static final int MIN_LOCATION_ENTRY_BYTES = 11;

    private IndexHint() {
    }

    /** @return the index file of a log */
    public static Path pathOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".index");
    }

    /** @return the temporary file an index is written to before its rename */
    public static Path tempOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".index.tmp");
    }

    /** What a trusted index file holds: the state of the log up to the covered position. */
    public static final class Loaded {
        /** Namespaces held in memory: their live keys and values. */
        public final Map<String, Map<ByteKey, byte[]>> values = new HashMap<>();
        /** Disk-backed namespaces: their indexes. */
        public final Map<String, DiskIndex> indexes = new HashMap<>();
        /** The segment of the covered position. */
        public long coveredSegment;
        /** The offset in that segment up to which the file covers the log. */
        public long coveredOffset;
        /** Records in those bytes. */
        public long records;
    }

    /**
     * Reads the index file of {@code log}, if there is one that describes the log as it is now.
     *
     * @param fs       the store's file system
     * @param log      the log's configured path
     * @param segments the log's segment files, open, by number
     * @return its content, or null if there is none or it cannot be trusted (why is logged)
     */
    public static Loaded load(StoreFileSystem fs, Path log, Map<Long, FileChannel> segments) {
        Path file = pathOf(log);
        if (!fs.exists(file)) {
            return null;
        }
        try (FileChannel in = fs.open(file, StandardOpenOption.READ)) {
            String why = null;
            Loaded loaded = null;
            try {
                loaded = read(in, segments);
            } catch (Stale e) {
                why = e.getMessage();
            }
            if (loaded == null) {
                LOG.log(System.Logger.Level.WARNING, "index file {0} not used ({1}): scanning the whole log", file,
                        why);
            }
            return loaded;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "index file {0} not used (cannot read it: {1}): scanning the whole "
                    + "log", file, e);
            return null;
        }
    }

    /** Why a file is not trusted. */
    private static final class Stale extends Exception {
        Stale(String why) {
            super(why, null, false, false);
        }
    }

    private static Loaded read(FileChannel in, Map<Long, FileChannel> segments) throws IOException, Stale {
        long size = in.size();
        if (size < HEADER_SIZE + 13) {
            throw new Stale("torn: " + size + " bytes");
        }
        byte[] header = new byte[HEADER_SIZE];
        readFully(in, ByteBuffer.wrap(header), 0);
        for (int i = 0; i < MAGIC.length; i++) {
            if (header[i] != MAGIC[i]) {
                throw new Stale("not an index file");
            }
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        CRC32C crc = new CRC32C();
        crc.update(header, 0, HEADER_SIZE - 4);
        if (h.getInt(HEADER_SIZE - 4) != (int) crc.getValue()) {
            throw new Stale("header checksum mismatch");
        }
        if (h.getInt(8) != VERSION) {
            throw new Stale("version " + h.getInt(8));
        }
        long coveredSegment = h.getLong(12);
        long covered = h.getLong(20);
        long records = h.getLong(28);
        int tailCrc = h.getInt(36);
        FileChannel log = segments.get(coveredSegment);
        if (log == null) {
            throw new Stale("it covers segment " + coveredSegment + ", which the log does not have");
        }
        long logSize = log.size();
        if (covered < RecordFormat.HEADER_SIZE || covered > logSize) {
            throw new Stale("it covers " + covered + " bytes of segment " + coveredSegment + " of " + logSize);
        }
        if (tailChecksum(log, covered) != tailCrc) {
            throw new Stale("the bytes of segment " + coveredSegment + " before offset " + covered
                    + " are not those it was written for");
        }
        // the slots of the segments up to the covered one: a location must be in one of them
        Map<Integer, Long> slots = new HashMap<>();
        for (long n : segments.keySet()) {
            if (n <= coveredSegment) {
                slots.put((int) DiskIndex.slotOf(n), n);
            }
        }
        Loaded out = new Loaded();
        out.coveredSegment = coveredSegment;
        out.coveredOffset = covered;
        out.records = records;
        ChannelInput input = new ChannelInput(in, HEADER_SIZE, size);
        RecordFormat.Record r = new RecordFormat.Record();
        java.util.List<DiskIndex> byId = new java.util.ArrayList<>();
        long count = 0;
        while (true) {
            byte tag = input.readByte();
            if (tag == END) {
                break;
            }
            if (tag == VALUE) {
                int len = input.readInt();
                if (len < RecordFormat.RECORD_PREFIX + RecordFormat.MIN_BODY || len > RecordFormat.MAX_BODY + 8) {
                    throw new Stale("bad record length " + len + " at " + input.position());
                }
                byte[] record = input.readBytes(len);
                // no per-record CRC: the body's CRC, checked at the end, covers these bytes
                if (!RecordFormat.parseBody(record, 0, len, r) || r.isDelete()) {
                    throw new Stale("bad record at " + input.position());
                }
                out.values.computeIfAbsent(r.namespace(), k -> new HashMap<>()).put(new ByteKey(r.key()), r.value());
            } else if (tag == NAMESPACE) {
                int id = input.readVarint();
                String ns = new String(input.readBytes(input.readVarint()), StandardCharsets.UTF_8);
                int expected = input.readInt();
                if (id != byId.size() || expected < 0 || out.indexes.containsKey(ns)) {
                    throw new Stale("bad namespace entry at " + input.position());
                }
                // the count is a sizing hint read before the body's checksum is: a damaged one must not allocate
                // more slots than the file's location entries (tag, id, key length, location) could fill
                DiskIndex index = new DiskIndex((int) Math.min(expected, size / MIN_LOCATION_ENTRY_BYTES));
                byId.add(index);
                out.indexes.put(ns, index);
            } else if (tag == LOCATION) {
                int id = input.readVarint();
                if (id >= byId.size()) {
                    throw new Stale("undefined namespace " + id + " at " + input.position());
                }
                DiskIndex index = byId.get(id);
                byte[] key = input.readBytes(input.readVarint());
                long location = input.readLong();
                long position = DiskIndex.offset(location);
                boolean plain = DiskIndex.isPlain(location);
                int length = (int) (location & ((1L << DiskIndex.LENGTH_BITS) - 1));
                if (length == 0) {
                    length = input.readInt(); // a long record's length follows its location
                }
                Long segment = slots.get(DiskIndex.slotOfPosition(position));
                long offset = DiskIndex.offsetOfPosition(position);
                if (segment == null || offset < RecordFormat.HEADER_SIZE
                        || (segment == coveredSegment && offset + length > covered)) {
                    throw new Stale("location outside the covered log at " + input.position());
                }
                index.put(key, position, length, plain);
            } else {
                throw new Stale("unknown entry " + tag + " at " + input.position());
            }
            count++;
        }
        int bodyCrc = input.crc();
        long expectedCount = input.readLong();
        int storedCrc = input.readIntRaw();
        if (expectedCount != count || storedCrc != bodyCrc) {
            throw new Stale("torn or damaged (entries or checksum do not match)");
        }
        return out;
    }

    /** @return CRC32C of the (up to {@value #TAIL_CHECK}) bytes of {@code log} before {@code end} */
    static int tailChecksum(FileChannel log, long end) throws IOException {
        long from = Math.max(RecordFormat.HEADER_SIZE, end - TAIL_CHECK);
        ByteBuffer b = ByteBuffer.allocate((int) (end - from));
        readFully(log, b, from);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, at);
            if (n < 0) {
                throw new IOException("file ends at " + at);
            }
            at += n;
        }
    }

    /**
     * Writes an index file: entries as they come, then {@link #finish} with the log's covered length. Until then
     * nothing is at the index file's name.
     */
    public static final class Writer implements AutoCloseable {
        private final StoreFileSystem fs;
        private final Path log;
        private final Path temp;
        private final FileChannel out;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        private final CRC32C crc = new CRC32C();
        private long position = HEADER_SIZE;
        private long entries;
        private boolean done;
        /** Ids of the namespaces defined so far, by the array the caller names them with. */
        private final java.util.IdentityHashMap<byte[], Integer> namespaces = new java.util.IdentityHashMap<>();

        /**
         * @param fs  the store's file system
         * @param log the log the file will describe
         * @throws IOException if the temporary file cannot be created
         */
        public Writer(StoreFileSystem fs, Path log) throws IOException {
            this.fs = fs;
            this.log = log;
            this.temp = tempOf(log);
            fs.deleteIfExists(temp);
            fs.createFile(temp);
            this.out = fs.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        /** Adds a key held in memory: its SET record, as the log holds it. */
        public void value(byte[] record) throws IOException {
            ensure(5);
            buffer.put(VALUE).putInt(record.length);
            write(record);
            entries++;
        }

        /**
         * Defines a disk-backed namespace, before any of its keys.
         *
         * @param namespace    its name, the same array passed to {@link #location} for its keys
         * @param expectedKeys about how many keys follow (sizes its index when read)
         */
        public void namespace(byte[] namespace, int expectedKeys) throws IOException {
            int id = namespaces.size();
            namespaces.put(namespace, id);
            ensure(1 + 5 + 5 + 4);
            buffer.put(NAMESPACE);
            RecordFormat.putVarint(buffer, id);
            RecordFormat.putVarint(buffer, namespace.length);
            write(namespace);
            ensure(4);
            buffer.putInt(expectedKeys);
            entries++;
        }

        /**
         * Adds a key of a disk-backed namespace ({@link #namespace defined} before) and where its record is: its
         * position ({@link DiskIndex#position(long, long)}) and length, and whether its value is plain.
         */
        public void location(byte[] namespace, byte[] key, long position, int length, boolean plain)
                throws IOException {
            long location = DiskIndex.pack(position, length, plain);
            Integer id = namespaces.get(namespace);
            if (id == null) {
                throw new IllegalStateException("namespace not defined");
            }
            ensure(1 + 5 + 5 + key.length + 12);
            buffer.put(LOCATION);
            RecordFormat.putVarint(buffer, id);
            RecordFormat.putVarint(buffer, key.length);
            write(key);
            buffer.putLong(location);
            if ((location & ((1L << DiskIndex.LENGTH_BITS) - 1)) == 0) {
                buffer.putInt(length);
            }
            entries++;
        }

        /**
         * Ends the file and puts it in place: the end entry, the header, fsync, rename over the index file, fsync of
         * the directory.
         *
         * @param coveredChannel the covered segment's file (its bytes before {@code coveredOffset} are checksummed)
         * @param coveredSegment the segment of the position up to which the entries describe the log
         * @param coveredOffset  the offset in that segment
         * @param records        how many records the log holds up to there
         */
        public void finish(FileChannel coveredChannel, long coveredSegment, long coveredOffset, long records)
                throws IOException {
            ensure(1);
            buffer.put(END);
            flush();
            ByteBuffer end = ByteBuffer.allocate(12).putLong(entries).putInt((int) crc.getValue());
            end.flip();
            writeAt(end, position);
            ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE);
            h.put(MAGIC).putInt(VERSION).putLong(coveredSegment).putLong(coveredOffset).putLong(records)
                    .putInt(tailChecksum(coveredChannel, coveredOffset));
            CRC32C hc = new CRC32C();
            hc.update(h.array(), 0, HEADER_SIZE - 4);
            h.putInt((int) hc.getValue());
            h.flip();
            writeAt(h, 0);
            out.force(true);
            out.close();
            fs.moveReplacing(temp, pathOf(log));
            fs.fsyncDirectory(StoreFileSystem.directoryOf(log));
            done = true;
        }

        private void ensure(int n) throws IOException {
            if (buffer.remaining() < n) {
                flush();
            }
        }

        private void write(byte[] bytes) throws IOException {
            if (bytes.length > buffer.remaining()) {
                flush();
                if (bytes.length > buffer.capacity()) {
                    crc.update(bytes);
                    writeAt(ByteBuffer.wrap(bytes), position);
                    position += bytes.length;
                    return;
                }
            }
            buffer.put(bytes);
        }

        private void flush() throws IOException {
            buffer.flip();
            crc.update(buffer.array(), 0, buffer.limit());
            int n = buffer.limit();
            writeAt(buffer, position);
            position += n;
            buffer.clear();
        }

        private void writeAt(ByteBuffer b, long at) throws IOException {
            while (b.hasRemaining()) {
                at += out.write(b, at);
            }
        }

        /** Drops the file if {@link #finish} did not put it in place. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            try {
                out.close();
                fs.deleteIfExists(temp);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove " + temp + ": " + e);
            }
        }
    }

    /** Buffered sequential reads of a channel, with a running CRC32C of what was read. */
    private static final class ChannelInput {
        private final FileChannel in;
        private final long size;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        private final CRC32C crc = new CRC32C();
        private long filePosition;

        ChannelInput(FileChannel in, long start, long size) {
            this.in = in;
            this.filePosition = start;
            this.size = size;
            buffer.limit(0);
        }

        long position() {
            return filePosition - buffer.remaining();
        }

        private void need(int n) throws IOException, Stale {
            if (buffer.remaining() >= n) {
                return;
            }
            // checksum what was consumed, keep the rest, refill
            int consumedTo = buffer.position();
            crc.update(buffer.array(), 0, consumedTo);
            buffer.compact();
            while (buffer.position() < n) {
                if (filePosition >= size) {
                    throw new Stale("torn: ends at " + size);
                }
                int r = in.read(buffer, filePosition);
                if (r < 0) {
                    throw new Stale("torn: ends at " + filePosition);
                }
                filePosition += r;
            }
            buffer.flip();
        }

        /** @return the CRC of every byte consumed so far */
        int crc() {
            crc.update(buffer.array(), 0, buffer.position());
            buffer.compact().flip();
            return (int) crc.getValue();
        }

        byte readByte() throws IOException, Stale {
            need(1);
            return buffer.get();
        }

        int readInt() throws IOException, Stale {
            need(4);
            return buffer.getInt();
        }

        /** For the end entry, read after {@link #crc()}: not part of the checksum. */
        int readIntRaw() throws IOException, Stale {
            return readInt();
        }

        long readLong() throws IOException, Stale {
            need(8);
            return buffer.getLong();
        }

        int readVarint() throws IOException, Stale {
            int result = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                byte b = readByte();
                result |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (result < 0 || result > RecordFormat.MAX_BODY) {
                        throw new Stale("bad length at " + position());
                    }
                    return result;
                }
            }
            throw new Stale("bad varint at " + position());
        }

        byte[] readBytes(int n) throws IOException, Stale {
            byte[] out = new byte[n];
            int at = 0;
            while (at < n) {
                need(1);
                int k = Math.min(n - at, buffer.remaining());
                buffer.get(out, at, k);
                at += k;
            }
            return out;
        }
    }
}
