package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.LogWriter;
import dev.persist.store.log.RecordFormat;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;
import java.util.function.Predicate;

/**
 * Appends a record of a disk-backed map and points the map's index at it, in one step as far as shrinking is
 * concerned: both happen under the store's disk lock (read side), and shrinking takes its write side to retire
 * segments (and the index file's writer to note where it starts), so no index entry is set with a position in a
 * segment that is no longer the log's, and no record is seen without its index entry.
 */
final class DiskWrites {
    private DiskWrites() {
    }

    /**
     * Called under the record's key lock.
     *
     * @param store  the store
     * @param index  the map's index
     * @param record a SET or DELETE record of the map
     * @param plain  whether a SET record's value is plain ({@link DeferredCodec#isPlain}): kept in the index entry;
     *               null if no value is
     * @return the record's end LSN, for the caller to wait on
     */
    static long append(Store store, DiskIndex index, byte[] record, Predicate<ByteBuffer> plain) {
        return append(store, index, null, record, plain);
    }

    /**
     * As {@link #append(Store, DiskIndex, byte[], Predicate)}, with a companion map's record (or null) just before
     * the map's own, in the same write ({@link LogWriter#appendPair}).
     */
    static long append(Store store, DiskIndex index, byte[] companion, byte[] record, Predicate<ByteBuffer> plain) {
        RecordFormat.Record r = new RecordFormat.Record();
        if (!RecordFormat.parseBody(record, 0, record.length, r)) {
            throw new IllegalArgumentException("malformed record");
        }
        Lock lock = store.diskLock().readLock();
        lock.lock();
        try {
            LogWriter writer = store.writer();
            long lsn = companion == null ? writer.append(record) : writer.appendPair(companion, record);
            if (r.isDelete()) {
                index.remove(r.key());
            } else {
                index.put(r.key(), writer.position(lsn - record.length), record.length,
                        plain != null && plain.test(r.valueView()));
            }
            return lsn;
        } finally {
            lock.unlock();
        }
    }
}
