package dev.persist.store;

import dev.persist.store.log.ByteKey;
import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.IndexHint;
import dev.persist.store.log.LogWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a store's index file ({@link IndexHint}) for the next open: the indexes of its disk-backed namespaces, and
 * the keys and values of every namespace held in memory, describing the log up to the end of what is appended when it
 * starts.
 *
 * <p>Writes may go on meanwhile: a disk-resident entry whose record is after that point is left out, and a value held
 * in memory may be newer than it; both are fine, since the open replays every record after the point, in order, and
 * the log is fsynced before the file is put in place (the power-cut simulation found the hole without it: a key left
 * out for a record still in the write buffer was lost). A failure only costs the next open a full scan: it is logged,
 * not thrown.
 */
final class StoreIndexFile {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());

    private StoreIndexFile() {
    }

    static void write(Store store) {
        LogWriter writer = store.writer();
        try (IndexHint.Writer hint = new IndexHint.Writer(store.options().fileSystem(), store.path())) {
            LogWriter.WrittenPoint covered;
            // with the write side, every disk-backed record before the point has its index entry
            store.diskLock().writeLock().lock();
            try {
                covered = writer.writtenPoint();
            } finally {
                store.diskLock().writeLock().unlock();
            }
            store.registry().readLock().lock();
            try {
                for (PersistMap<?, ?> map : store.registeredMaps()) {
                    DiskIndex index = map.diskIndex();
                    if (index != null) {
                        writeLocations(store, hint, map.nameBytes(), index, covered.lsn());
                    } else {
                        map.forEachRecord(record -> {
                            try {
                                hint.value(record);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }, e -> {
                            throw e;
                        });
                    }
                }
                for (Map.Entry<String, Map<ByteKey, byte[]>> ns : store.orphanValuesHeld().entrySet()) {
                    for (Map.Entry<ByteKey, byte[]> e : ns.getValue().entrySet()) {
                        hint.value(Shrinker.orphanRecord(ns.getKey(), e));
                    }
                }
                for (Map.Entry<String, DiskIndex> ns : store.diskOrphanIndexes().entrySet()) {
                    writeLocations(store, hint, ns.getKey().getBytes(StandardCharsets.UTF_8), ns.getValue(),
                            covered.lsn());
                }
            } finally {
                store.registry().readLock().unlock();
            }
            // an entry left out for a record after the point, or a value newer than it, is only right if that record
            // is on disk: the file must not name a state the log could lose to a crash
            writer.syncAll();
            hint.finish(covered.channel(), covered.segment().number, covered.offset(), covered.records());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write the index file of " + store.path() + "; the next "
                    + "open scans the whole log: " + e);
        }
    }

    /** Writes the entries of {@code index} whose records start before {@code coveredLsn}. */
    private static void writeLocations(Store store, IndexHint.Writer hint, byte[] namespace, DiskIndex index,
                                       long coveredLsn) throws IOException {
        hint.namespace(namespace, index.size());
        store.diskLock().readLock().lock(); // no segment is retired while positions are turned into LSNs
        try {
            for (DiskIndex.Entry e : index.entries()) {
                long location = e.location();
                long position = DiskIndex.offset(location);
                long lsn = store.writer().lsnOf(position);
                if (lsn > 0 && lsn < coveredLsn) {
                    hint.location(namespace, e.key, position, index.length(e, location), DiskIndex.isPlain(location));
                }
            }
        } finally {
            store.diskLock().readLock().unlock();
        }
    }
}
