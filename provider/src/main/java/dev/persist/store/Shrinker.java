package dev.persist.store;

import dev.persist.store.log.ByteKey;
import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.IndexHint;
import dev.persist.store.log.LogSegment;
import dev.persist.store.log.LogScanner;
import dev.persist.store.log.LogWriter;
import dev.persist.store.log.RecordFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.LongStream;

/**
 * {@link Store#shrink()}: retires the oldest segments of the log (a prefix of them) while reads and writes go on,
 * without rewriting the rest.
 *
 * <ol>
 *   <li>Seal them: every record before the first kept segment is written, and the segments up to it are fsynced
 *       (for a full shrink, the active segment is ended first, so that every segment with records is retired).</li>
 *   <li>Copy their live records forward, as ordinary appends at the head of the log, each under its key's lock:
 *       for a disk-backed namespace ({@link MapConfig#disk}), each record its index still points at, as it is
 *       (not decoded), and the index then points at the copy; for a namespace held in memory, and for orphan
 *       records, every current entry (no location is kept for them, so which are in the retired segments is not
 *       known). A delete is never copied: every record older than it is in the retired segments too.</li>
 *   <li>Fsync the copies; delete the index file (it names places in the retired segments).</li>
 *   <li>With disk reads blocked for a moment, forget the retired segments; delete their files, oldest first
 *       (segment 0, the configured path, is emptied to its header instead, and fsynced); fsync the directory. Then
 *       the store writes a new index file, if it has disk-backed namespaces.</li>
 * </ol>
 * A crash at any point leaves a log that replays to the same state: until a retired segment is deleted, its records
 * are replayed first and the copies (newer) win; the deletes go oldest first, so a delete record in a retired segment
 * outlives every older record of its key. An open finds leftover retired segments as ordinary old segments, and the
 * next shrink retires them again.
 */
final class Shrinker {
    private static final System.Logger LOG = System.getLogger(Shrinker.class.getName());

    /**
     * Copied bytes after which the copy waits until they are written: without it the copies pile up in the log's
     * pending buffer until the syncer's next write, and a store whose live records outweigh the heap (a
     * {@code disk} cache) ran out of memory shrinking.
     */
    static final int WRITE_EVERY_BYTES = 4 << 20;

    private final Store store;
    private final Path log;
    private long copiedBytes;
    private long unwrittenBytes;
    private long lastCopyLsn;

    Shrinker(Store store) {
        this.store = store;
        this.log = store.path();
    }

    /**
     * The temporary file of a shrink of versions before segments, which rewrote the whole log into it: an open
     * deletes one left by a crash.
     */
    static Path tempFileOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".shrink");
    }

    /**
     * Retires every segment that holds records now. Called with the store's shrink lock held.
     *
     * @return the bytes of the records copied forward
     */
    long runFull() {
        LogWriter writer = store.writer();
        writer.checkNotFailed();
        return retireUpTo(writer.roll());
    }

    /**
     * Retires the segments numbered up to {@code last}, which must be before the active one (or ended by a roll).
     * Called with the store's shrink lock held.
     *
     * @return the bytes of the records copied forward
     */
    long retireUpTo(long last) {
        LogWriter writer = store.writer();
        // the retired segments' records must be in their files and fsynced before they are scanned and deleted
        writer.startPendingSegment();
        List<LogSegment> retiring = new ArrayList<>();
        for (LogSegment seg : writer.segments()) {
            if (seg.number <= last && seg.number < writer.writingSegment().number) {
                retiring.add(seg);
            }
        }
        if (retiring.isEmpty()) {
            return 0;
        }
        Lock registry = store.registry().readLock();
        copiedBytes = 0;
        unwrittenBytes = 0;
        registry.lock(); // no namespace moves between a map and the orphans while its records are copied
        try {
            Map<String, DiskIndex> indexes = store.diskIndexes();
            long[] live = livePositionsIn(retiring, indexes.values());
            for (LogSegment seg : retiring) {
                copyDiskRecords(writer, seg, indexes, live);
            }
            for (PersistMap<?, ?> map : store.registeredMaps()) {
                if (!map.isDiskBacked()) {
                    copyEntries(writer, map);
                }
            }
            for (Map.Entry<String, Map<ByteKey, byte[]>> ns : store.orphanValuesHeld().entrySet()) {
                for (Map.Entry<ByteKey, byte[]> e : ns.getValue().entrySet()) {
                    append(writer, orphanRecord(ns.getKey(), e));
                    writeIfMany();
                }
            }
            writer.syncAll();
            StoreFileSystem fs = store.options().fileSystem();
            Path dir = StoreFileSystem.directoryOf(log);
            try {
                // the index file names places in the segments about to go: it must be gone first
                if (fs.deleteIfExists(IndexHint.pathOf(log))) {
                    fs.fsyncDirectory(dir);
                }
            } catch (IOException e) {
                throw new StoreException("shrinking of " + log + " failed before any segment was deleted: " + e, e);
            }
            List<LogSegment> retired;
            BitSet slots = new BitSet();
            long lost = 0;
            store.diskLock().writeLock().lock();
            try {
                retired = writer.retire(last);
                retired.forEach(seg -> slots.set((int) DiskIndex.slotOf(seg.number)));
                for (DiskIndex index : indexes.values()) {
                    lost += index.removeIn(slots);
                }
            } finally {
                store.diskLock().writeLock().unlock();
            }
            if (lost > 0) {
                LOG.log(System.Logger.Level.ERROR, lost + " disk-resident entries of " + log + " had their records in "
                        + "damaged bytes of retired segments and were dropped");
            }
            try {
                for (LogSegment seg : retired) {
                    if (seg.number == 0) {
                        emptyFirstSegment(fs, seg.path);
                    } else {
                        fs.deleteIfExists(seg.path);
                    }
                }
                fs.fsyncDirectory(dir);
            } catch (IOException | RuntimeException e) {
                // what is left is a valid log (old segments replay first), but the writer's view of it is not
                throw writer.fail("deleting retired segments of " + log + " failed", e);
            }
        } finally {
            registry.unlock();
        }
        return copiedBytes;
    }

    /**
     * Retires segment 0 by replacing it with an empty segment (a header only), so that the configured path keeps
     * naming the log; an open leaves the empty file out of the live segments. The empty file is written and fsynced
     * under {@code <log>.shrink} and renamed over the log: a rename is atomic, where cutting the file in place could
     * leave, after a power cut, its old size with lost blocks (damage in a segment that is not the last). The rename
     * comes before any later segment's delete, and directory operations reach the disk in order, so a delete record
     * in a later segment never goes while older records it deletes could come back.
     */
    private static void emptyFirstSegment(StoreFileSystem fs, Path path) throws IOException {
        Path temp = tempFileOf(path);
        fs.deleteIfExists(temp);
        fs.createFile(temp);
        try (FileChannel ch = fs.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.wrap(RecordFormat.header());
            while (header.hasRemaining()) {
                ch.write(header, header.position());
            }
            ch.force(true);
        }
        fs.moveReplacing(temp, path);
    }

    /**
     * The positions in the retiring segments that some index points at, sorted: what a scan of them may have to copy.
     * A superset of it once the scan runs (a write moves a key out of a retiring segment, never into one: they end
     * before the active segment), so each record found here is checked again under its key's lock; every other
     * record is skipped without an index lookup, which is a cache miss in a large index and was most of a shrink's
     * time when most of the retired records are dead.
     */
    private static long[] livePositionsIn(List<LogSegment> retiring, java.util.Collection<DiskIndex> indexes) {
        BitSet slots = new BitSet();
        retiring.forEach(seg -> slots.set((int) DiskIndex.slotOf(seg.number)));
        LongStream.Builder found = LongStream.builder();
        for (DiskIndex index : indexes) {
            index.forEachLocation((location, length) -> {
                long position = DiskIndex.offset(location);
                if (slots.get(DiskIndex.slotOfPosition(position))) {
                    found.add(position);
                }
            });
        }
        return found.build().sorted().toArray();
    }

    /** Copies the live disk-backed records of a retired segment forward: those their index still points at. */
    private void copyDiskRecords(LogWriter writer, LogSegment seg, Map<String, DiskIndex> indexes, long[] live) {
        if (indexes.isEmpty()) {
            return;
        }
        FileChannel channel = writer.channelOf(seg);
        long end = writer.lengthOf(seg);
        LogScanner scanner = new LogScanner(channel, end);
        long pos = RecordFormat.HEADER_SIZE;
        try {
            while (pos < end) {
                LogScanner.Damage damage = scanner.scan(pos, (offset, r) -> {
                    long position = DiskIndex.position(seg.number, offset);
                    if (!r.isDelete() && Arrays.binarySearch(live, position) >= 0) {
                        DiskIndex index = indexes.get(r.namespace());
                        if (index != null) {
                            copyIfLive(r.namespace(), index, r, position);
                        }
                    }
                });
                if (damage == null) {
                    break;
                }
                long next = scanner.findNextValidRecord(damage.offset() + 1);
                LOG.log(System.Logger.Level.WARNING, "shrinking {0}: skipped {1} damaged bytes at offset {2} ({3}); "
                        + "disk-resident entries whose records were there are dropped", seg.path,
                        (next < 0 ? end : next) - damage.offset(), damage.offset(), damage.reason());
                if (next < 0) {
                    break;
                }
                pos = next;
            }
        } catch (IOException e) {
            throw writer.fail("reading " + seg.path + " while shrinking failed", e);
        } catch (UncheckedIOException e) {
            throw writer.fail("reading " + seg.path + " while shrinking failed", e.getCause());
        }
    }

    /** A copy's value is what it was: plain if its index entry said so (nothing here knows the map's codec). */
    private static Predicate<ByteBuffer> keepMark(long location) {
        boolean plain = DiskIndex.isPlain(location);
        return value -> plain;
    }

    private void copyIfLive(String namespace, DiskIndex index, RecordFormat.Record r, long position) {
        byte[] key = r.key();
        long location = index.location(key);
        if (location == DiskIndex.NONE || DiskIndex.offset(location) != position) {
            return; // deleted, or an older record of the key
        }
        PersistMap<?, ?> map = store.registeredMap(namespace);
        if (map == null || map.diskIndex() != index) {
            // a disk-backed orphan namespace: nothing changes it while the registry's read lock is held
            copied(r.size(), DiskWrites.append(store, index, r.standaloneBytes(), keepMark(location)));
            writeIfMany();
            return;
        }
        copyUnderKeyLock(map, index, key, location, position, r.standaloneBytes());
        writeIfMany(); // outside the key's lock
    }

    /** Counts a copy appended to the log at {@code lsn}. */
    private void copied(int bytes, long lsn) {
        copiedBytes += bytes;
        unwrittenBytes += bytes;
        lastCopyLsn = lsn;
    }

    /** Waits until the copies are written once {@link #WRITE_EVERY_BYTES} of them are pending. */
    private void writeIfMany() {
        if (unwrittenBytes >= WRITE_EVERY_BYTES) {
            store.writer().awaitWritten(lastCopyLsn);
            unwrittenBytes = 0;
        }
    }

    private <K> void copyUnderKeyLock(PersistMap<K, ?> map, DiskIndex index, byte[] keyBytes, long location,
                                      long position, byte[] record) {
        K key;
        try {
            key = map.keyCodec().decode(keyBytes);
        } catch (RuntimeException ex) {
            // a key that does not decode cannot be locked; no operation of the map can reach it either
            copied(record.length, DiskWrites.append(store, index, record, keepMark(location)));
            return;
        }
        ReentrantLock lock = map.locks().lockFor(key);
        lock.lock();
        try {
            long now = index.location(keyBytes);
            if (now != DiskIndex.NONE && DiskIndex.offset(now) == position) {
                copied(record.length, DiskWrites.append(store, index, record, keepMark(now)));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Appends every current entry of a map held in memory, each under its key's lock (so in the key's log order). */
    private <K, V> void copyEntries(LogWriter writer, PersistMap<K, V> map) {
        for (K key : map.memory().keySet()) {
            ReentrantLock lock = map.locks().lockFor(key);
            lock.lock();
            try {
                V value = map.memory().get(key);
                if (value == null) {
                    continue;
                }
                byte[] record;
                try {
                    record = RecordFormat.encodeSet(map.nameBytes(), map.keyCodec().encode(key),
                            map.valueCodec().encode(value));
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "shrinking skipped an entry of '" + map.name()
                            + "' that cannot be encoded: " + ex);
                    continue;
                }
                append(writer, record);
            } finally {
                lock.unlock();
            }
            writeIfMany(); // outside the key's lock
        }
    }

    private void append(LogWriter writer, byte[] record) {
        copied(record.length, writer.append(record));
    }

    /** Buffered positional writes to a new file: the operator tool's salvage copy. */
    static final class Output {
        private static final int BUFFER = 1 << 20;
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        long position;

        Output(FileChannel channel) {
            this.channel = channel;
        }

        void writeRecord(byte[] record) {
            try {
                write(record);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void write(byte[] bytes) throws IOException {
            if (bytes.length > buffer.remaining()) {
                flush();
                if (bytes.length > buffer.capacity()) {
                    writeFully(ByteBuffer.wrap(bytes));
                    return;
                }
            }
            buffer.put(bytes);
        }

        void flush() throws IOException {
            buffer.flip();
            writeFully(buffer);
            buffer.clear();
        }

        private void writeFully(ByteBuffer b) throws IOException {
            long at = position;
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
            position = at;
        }
    }

    /** Encodes an orphan record. */
    static byte[] orphanRecord(String namespace, Map.Entry<ByteKey, byte[]> e) {
        return RecordFormat.encodeSet(namespace.getBytes(StandardCharsets.UTF_8), e.getKey().bytes, e.getValue());
    }
}
