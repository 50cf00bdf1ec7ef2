package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.RecordFormat;

import java.util.concurrent.locks.Lock;

/**
 * Reads the record a disk-resident entry points at, with one positional read, and checks it as the open's scan
 * would: length, CRC32C, body, and that it is a SET of this map's namespace and this key. A record that fails any
 * check is never returned as a value: the map drops the entry ({@link PersistMap#dropDamaged}) and the read is a
 * miss. An I/O error of the read itself fails the store, as any I/O error does.
 */
final class DiskReads {
    private DiskReads() {
    }

    /**
     * Called under the key's lock.
     *
     * @return the value's bytes, or null if the key has no entry or its record is damaged (the entry is dropped
     *         then)
     */
    static <K> byte[] value(Store store, PersistMap<K, ?> map, K key, DiskIndex index, byte[] keyBytes) {
        Read read = read(store, map, index, keyBytes);
        if (read == null) {
            return null;
        }
        RecordFormat.Record r = new RecordFormat.Record();
        String why = problem(read.record, read.length, map.nameBytes(), keyBytes, r);
        if (why != null) {
            map.dropDamaged(key, keyBytes, DiskIndex.offset(read.location), why);
            return null;
        }
        return r.value();
    }

    /**
     * A read without the key's lock, for a caller that checks afterwards, under the lock, that the entry still
     * points where it was read ({@link #location}). Drops nothing: a damaged record is for the locked read to meet.
     *
     * @return what was read: the location, and the value's bytes if the record there is this key's and intact; null
     *         if the key has no entry
     */
    static Unlocked valueUnlocked(Store store, PersistMap<?, ?> map, DiskIndex index, byte[] keyBytes) {
        Read read = read(store, map, index, keyBytes);
        if (read == null) {
            return null;
        }
        RecordFormat.Record r = new RecordFormat.Record();
        String why = problem(read.record, read.length, map.nameBytes(), keyBytes, r);
        return new Unlocked(read.location, why == null ? r.value() : null);
    }

    /**
     * What {@link #valueUnlocked} read: where, and the value's bytes, or null if the record is not intact. A location
     * names one record for as long as it is live: records are only appended, a shrink copies a record to a new
     * location before it retires the old one's segment, and segment numbers only grow (a location's segment slot
     * names another segment only after {@value DiskIndex#SEGMENT_SLOTS} more segments).
     */
    record Unlocked(long location, byte[] value) {
        /** Called under the key's lock: whether the entry still points where this was read. */
        boolean stillAt(DiskIndex index, byte[] keyBytes) {
            return index.location(keyBytes) == location;
        }
    }

    private record Read(long location, int length, byte[] record) {
    }

    /**
     * Reads the record the key's entry points at, or returns null if it has none; counts the read for the map and
     * the store. The entry is looked up under the disk lock's read side, so no shrink retires its segment between
     * the lookup and the read.
     */
    private static Read read(Store store, PersistMap<?, ?> map, DiskIndex index, byte[] keyBytes) {
        Lock lock = store.diskLock().readLock();
        lock.lock();
        try {
            long location = index.location(keyBytes);
            if (location == DiskIndex.NONE) {
                return null;
            }
            int length = index.length(keyBytes, location);
            map.countDiskRead();
            return new Read(location, length, store.writer().readAt(DiskIndex.offset(location), length));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks a record read back from where an index entry points: that the read got all of it, its length, CRC and
     * body ({@link RecordFormat#check}), and that it is a SET of {@code namespace} and {@code key}.
     *
     * @param record the bytes read, at most {@code length} of them
     * @param length the record's length as the index holds it
     * @param r      receives the parsed views when the record is valid
     * @return null if the record is this key's value, else why not
     */
    static String problem(byte[] record, int length, byte[] namespace, byte[] key, RecordFormat.Record r) {
        if (record.length < length) {
            return "the log ends " + (length - record.length) + " bytes before the record's end";
        }
        String why = RecordFormat.check(record, r);
        if (why == null && (r.isDelete() || !r.namespaceIs(namespace) || !r.keyIs(key))) {
            why = "the record there is not this key's";
        }
        return why;
    }
}
