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
        String why = record.length < length ? "the log ends " + (length - record.length) + " bytes before the "
                + "record's end" : RecordFormat.check(record, r);
        if (why == null && (r.isDelete() || !r.namespaceIs(map.nameBytes()) || !r.keyIs(keyBytes))) {
            why = "the record there is not this key's";
        }
        if (why != null) {
            map.dropDamaged(key, keyBytes, offset, why);
            return null;
        }
        return r.value();
    }
}
