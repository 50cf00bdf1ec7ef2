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
     * @return the value's bytes, or null if the record is damaged (the entry is dropped then)
     */
    static <K> byte[] value(Store store, PersistMap<K, ?> map, K key, DiskIndex index, DiskIndex.Entry e,
                            byte[] keyBytes) {
        long offset;
        int length;
        byte[] record;
        Lock lock = store.diskLock().readLock();
        lock.lock();
        try {
            long location = e.location();
            offset = DiskIndex.offset(location);
            length = index.length(e, location);
            record = store.writer().readAt(offset, length);
        } finally {
            lock.unlock();
        }
        RecordFormat.Record r = new RecordFormat.Record();
        String why = problem(record, length, map.nameBytes(), keyBytes, r);
        if (why != null) {
            map.dropDamaged(key, keyBytes, offset, why);
            return null;
        }
        return r.value();
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
