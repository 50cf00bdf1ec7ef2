package dev.persist.store;

import dev.persist.store.log.LogWriter;
import dev.persist.store.log.RecordFormat;
import dev.persist.store.log.ByteKey;
import dev.persist.store.log.IndexHint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.locks.Lock;

/**
 * {@link Store#shrink()}: rewrites the log as the live state while reads and writes go on.
 *
 * <ol>
 *   <li>Note the log position P0. Every operation updates memory before it takes its log position, inside its
 *       key's lock, so every operation before P0 is already visible in memory.</li>
 *   <li>Write the live state (every map's entries, every orphan record) to {@code <log>.shrink}; fsync it.
 *       Operations go on and append to the old log meanwhile.</li>
 *   <li>Copy the old log's records after P0 to the new file: first without blocking anyone, then, with appends
 *       briefly blocked, the last few. Replayed after the snapshot, they bring each key to its latest state
 *       whichever value the snapshot caught.</li>
 *   <li>Fsync the new file, rename it atomically over the log, fsync the directory, switch appends to it (appends
 *       wait for the directory fsync: a record is never acknowledged as synced in a file whose name may not last).</li>
 * </ol>
 * A crash before the rename leaves the old log (the leftover {@code .shrink} file is deleted at the next open);
 * after it, the new one: either is complete, since the new file was fsynced before the rename.
 *
 * <p>Disk-backed namespaces ({@link MapConfig#disk}) are not in memory: in step 2 their live records are copied from
 * the old log in log order ({@link DiskCopy}), and in step 4, with appends and disk reads blocked, their index entries
 * move to the new file. Then an index file ({@link IndexHint}) describing the new log up to the end of the snapshot
 * is written, for the next open. Any old index file is deleted before the rename, since it describes the old file
 * (even one left by an earlier run with disk namespaces when this one has none).
 */
final class Shrinker {
    private static final int COPY_BUFFER = 1 << 20;

    private final Store store;
    private final Path log;
    private final Path temp;

    Shrinker(Store store) {
        this.store = store;
        this.log = store.path();
        this.temp = tempFileOf(log);
    }

    static Path tempFileOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".shrink");
    }

    /** Called with the store's shrink lock held. */
    void run() {
        LogWriter writer = store.writer();
        writer.checkNotFailed();
        FileChannel out = null;
        boolean switched = false;
        boolean disk = store.hasDiskNamespaces();
        // disk-backed namespaces must not move between an index and memory while their records are being copied
        Lock registry = store.registry().readLock();
        if (disk) {
            registry.lock();
        }
        HintOutput hints = new HintOutput(null);
        IndexHint.Writer hint = null;
        long snapshotEnd = 0;
        long hintRecords = 0;
        boolean[] renamed = {false}; // set inside the exclusive action once the new log has replaced the old name
        try {
            store.options().fileSystem().deleteIfExists(temp);
            store.options().fileSystem().createFile(temp);
            out = store.options().fileSystem().open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long[] start;
            // with the write side, every disk-backed record appended so far has its index entry set
            store.diskLock().writeLock().lock();
            try {
                start = writer.position();
            } finally {
                store.diskLock().writeLock().unlock();
            }
            long p0 = start[0];
            writer.awaitWritten(p0);

            Output o = new Output(out);
            o.write(RecordFormat.header());
            hints.writer = disk ? newHint() : null;
            long snapshotRecords = store.writeLiveState(record -> {
                o.writeRecord(record);
                hints.value(record);
            });
            DiskCopy copies = new DiskCopy(disk ? store.diskIndexes() : Map.of());
            snapshotRecords += copies.copy(log, writer.channel(), RecordFormat.HEADER_SIZE, writer.fileOffset(p0), o,
                    hints);
            o.flush();
            out.force(true);
            long tailStart = writer.fileOffset(p0);
            long newTailStart = o.position;
            hint = hints.writer;
            snapshotEnd = newTailStart;
            hintRecords = snapshotRecords;

            long p1 = writer.appendedLsn();
            writer.awaitWritten(p1);
            FileChannel oldLog = writer.channel(); // only shrinking swaps it, and we are shrinking
            o.copy(oldLog, writer.fileOffset(p0), writer.fileOffset(p1));

            final FileChannel newLog = out;
            final long records = snapshotRecords;
            store.diskLock().writeLock().lock();
            try {
                writer.exclusively(w -> {
                    long[] end = w.position();
                    o.copy(w.channel(), w.fileOffset(p1), w.fileOffset(end[0]));
                    o.flush();
                    newLog.force(true);
                    // the old index file describes the old log, whether or not this run has disk namespaces
                    store.options().fileSystem().deleteIfExists(IndexHint.pathOf(log));
                    store.options().fileSystem().moveReplacing(temp, log);
                    renamed[0] = true;
                    // The rename is durable only once the directory is fsynced, and until then a power cut may leave
                    // the old log: switching first (which counts everything copied as synced) would let FSYNC callers
                    // return for records that live only in the new file, or were never fsynced in the old one. So
                    // appends wait for the directory fsync.
                    try {
                        store.options().fileSystem().fsyncDirectory(StoreFileSystem.directoryOf(log));
                    } catch (IOException | RuntimeException e) {
                        // the new log is in place, but its name may not be durable, and appends still go to the old
                        // file: stop writes (no caller was told its record is synced in the new file). A forwarding
                        // file system may throw unchecked exceptions too.
                        throw w.fail("fsync of the directory of " + log + " after shrinking failed", e);
                    }
                    w.switchFile(newLog, o.position, records + (end[1] - start[1]));
                    long lost = copies.apply(tailStart, newTailStart);
                    if (lost > 0) {
                        java.lang.System.getLogger(Shrinker.class.getName()).log(System.Logger.Level.ERROR,
                                lost + " disk-resident entries of " + log + " had their records in damaged bytes "
                                        + "and were dropped");
                    }
                    return null;
                });
            } finally {
                store.diskLock().writeLock().unlock();
            }
            switched = true;
        } catch (IOException | RuntimeException e) {
            if (!switched) {
                closeQuietly(out);
                try {
                    store.options().fileSystem().deleteIfExists(temp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                if (e instanceof StoreFailedException sfe) {
                    throw sfe;
                }
                if (renamed[0]) {
                    // the old file is unlinked: appends must not go on to it
                    throw writer.fail("shrinking of " + log + " failed after the new log replaced it", e);
                }
                throw new StoreException("shrinking of " + log + " failed, the log is unchanged: " + e, e);
            }
            throw new StoreException("shrinking of " + log + " failed: " + e, e);
        } finally {
            if (!switched && hints.writer != null) {
                hints.writer.close();
            }
            if (disk) {
                registry.unlock();
            }
        }
        if (hint != null) {
            finishHint(hint, writer, snapshotEnd, hintRecords);
        }
    }

    /** Puts the index file of the new log in place; a failure only costs the next open a full scan. */
    private void finishHint(IndexHint.Writer hint, LogWriter writer, long coveredLength, long records) {
        try (hint) {
            store.diskLock().readLock().lock();
            try {
                hint.finish(writer.channel(), coveredLength, records);
            } finally {
                store.diskLock().readLock().unlock();
            }
        } catch (IOException | RuntimeException e) {
            java.lang.System.getLogger(Shrinker.class.getName()).log(System.Logger.Level.WARNING, "could not write "
                    + "the index file of " + log + " after shrinking; the next open scans the whole log: " + e);
        }
    }

    private IndexHint.Writer newHint() {
        try {
            return new IndexHint.Writer(store.options().fileSystem(), log);
        } catch (IOException e) {
            java.lang.System.getLogger(Shrinker.class.getName()).log(System.Logger.Level.WARNING, "cannot create the "
                    + "index file of " + log + ": " + e);
            return null;
        }
    }

    /** The index file written beside the snapshot, given up (not the shrink) at its first failure. */
    final class HintOutput {
        IndexHint.Writer writer;

        HintOutput(IndexHint.Writer writer) {
            this.writer = writer;
        }

        void namespace(byte[] namespace, int expectedKeys) {
            if (writer == null) {
                return;
            }
            try {
                writer.namespace(namespace, expectedKeys);
            } catch (IOException e) {
                giveUp(e);
            }
        }

        void location(byte[] namespace, byte[] key, long offset, int length) {
            if (writer == null) {
                return;
            }
            try {
                writer.location(namespace, key, offset, length);
            } catch (IOException e) {
                giveUp(e);
            }
        }

        private void giveUp(IOException e) {
            java.lang.System.getLogger(Shrinker.class.getName()).log(System.Logger.Level.WARNING, "cannot write "
                    + "the index file of " + log + ": " + e);
            writer.close();
            writer = null;
        }

        void value(byte[] record) {
            if (writer == null) {
                return;
            }
            try {
                writer.value(record);
            } catch (IOException e) {
                giveUp(e);
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the file is deleted next
            }
        }
    }

    /** Buffered positional writes to the new log. */
    static final class Output {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
        long position;

        Output(FileChannel channel) {
            this.channel = channel;
        }

        void writeRecord(byte[] record) {
            try {
                write(record);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** @return the offset in the file of the next byte written, buffered bytes included */
        long logicalPosition() {
            return position + buffer.position();
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
            long at = position + 0;
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
            position = at;
        }

        /** Appends bytes {@code [from, to)} of {@code source}. */
        void copy(FileChannel source, long from, long to) throws IOException {
            flush();
            ByteBuffer b = ByteBuffer.allocate(COPY_BUFFER);
            long at = from;
            while (at < to) {
                b.clear();
                b.limit((int) Math.min(b.capacity(), to - at));
                int n = source.read(b, at);
                if (n < 0) {
                    throw new IOException("log ended at " + at + ", expected " + to);
                }
                at += n;
                b.flip();
                writeFully(b);
            }
        }
    }

    /** Encodes an orphan record for the snapshot. */
    static byte[] orphanRecord(String namespace, Map.Entry<ByteKey, byte[]> e) {
        return RecordFormat.encodeSet(namespace.getBytes(StandardCharsets.UTF_8), e.getKey().bytes, e.getValue());
    }
}
