package dev.persist.store;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * A typed namespace of a {@link Store}: a concurrent map whose changes go to the store's log at the
 * {@link Durability} each call asks for (or the map's default).
 *
 * <p>Reads come from memory and never touch the log. Each mutation runs in a per-key atomic section that updates
 * memory and then takes the record's place in the log, so two operations on one key reach the log in their memory
 * order; WRITE and FSYNC calls then wait for the write or fsync outside that section. Keys and values must not be
 * null. A value the codec cannot encode throws from the call and changes nothing.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class PersistMap<K, V> {
    private final Store store;
    private final String name;
    private final byte[] nameBytes;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final ConcurrentMap<K, V> memory;
    private final KeyLocks locks = new KeyLocks(256);
    /** ASYNC changes not yet in the log: key to its latest encoded record (a set or a delete). */
    private final ConcurrentMap<K, byte[]> dirty = new ConcurrentHashMap<>();
    private volatile Durability defaultDurability;
    private volatile boolean closed;

    PersistMap(Store store, MapConfig<K, V> config) {
        this.store = store;
        this.name = config.name();
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.keyCodec = config.keyCodec();
        this.valueCodec = config.valueCodec();
        this.memory = config.newMemory();
        if (!memory.isEmpty()) {
            throw new IllegalArgumentException("the in-memory map of '" + name + "' must be empty");
        }
        this.defaultDurability = config.durability();
    }

    /** @return the namespace */
    public String name() {
        return name;
    }

    /** @return the store this map writes to */
    public Store store() {
        return store;
    }

    /** @return the tier of calls that name none */
    public Durability defaultDurability() {
        return defaultDurability;
    }

    /** @param tier the tier of calls that name none, from now on */
    public void defaultDurability(Durability tier) {
        this.defaultDurability = Objects.requireNonNull(tier, "tier");
    }

    /**
     * @param key not null
     * @return the value, or null if absent
     */
    public V get(K key) {
        return memory.get(Objects.requireNonNull(key, "key"));
    }

    /**
     * @param key not null
     * @return whether the key is present
     */
    public boolean containsKey(K key) {
        return memory.containsKey(Objects.requireNonNull(key, "key"));
    }

    /** Sets {@code key} to {@code value} at the default tier. */
    public void set(K key, V value) {
        set(key, value, defaultDurability);
    }

    /**
     * Sets {@code key} to {@code value}.
     *
     * @param key   not null
     * @param value not null
     * @param tier  how durable the change is when this returns
     * @throws StoreFailedException if the store has failed, or the write or fsync failed (memory is changed then,
     *                              the log may not be)
     */
    public void set(K key, V value, Durability tier) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(tier, "tier");
        checkOpen();
        if (tier == Durability.MEMORY) {
            ReentrantLock lock = locks.lockFor(key);
            lock.lock();
            try {
                memory.put(key, value);
            } finally {
                lock.unlock();
            }
            return;
        }
        store.checkWritable();
        byte[] record = RecordFormat.encodeSet(nameBytes, keyCodec.encode(key), valueCodec.encode(value));
        long lsn;
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            memory.put(key, value);
            lsn = log(key, record, tier);
        } finally {
            lock.unlock();
        }
        store.await(lsn, tier);
    }

    /** Deletes {@code key} at the default tier. @return whether it existed */
    public boolean delete(K key) {
        return delete(key, defaultDurability);
    }

    /**
     * Deletes {@code key}. A delete record is written even if the key is absent from memory, since the log may still
     * hold a value for it (a MEMORY-tier delete, say).
     *
     * @param key  not null
     * @param tier how durable the change is when this returns
     * @return whether the key existed in memory
     */
    public boolean delete(K key, Durability tier) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tier, "tier");
        checkOpen();
        byte[] record = null;
        if (tier != Durability.MEMORY) {
            store.checkWritable();
            record = RecordFormat.encodeDelete(nameBytes, keyCodec.encode(key));
        }
        long lsn;
        boolean existed;
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            existed = memory.remove(key) != null;
            lsn = record == null ? 0 : log(key, record, tier);
        } finally {
            lock.unlock();
        }
        store.await(lsn, tier);
        return existed;
    }

    /**
     * Tells the map that its in-memory map dropped {@code key} on its own (a size-bounded cache evicting it): if the
     * key is still absent, a delete record is written at {@code tier}, so the entry leaves the log too. Checked
     * under the key's lock, so a put of the same key that raced the eviction is never undone in the log.
     *
     * @param key  the evicted key
     * @param tier how durable the delete is when this returns
     * @return whether a delete was logged (false if the key is present again)
     */
    public boolean evicted(K key, Durability tier) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tier, "tier");
        if (closed || tier == Durability.MEMORY) {
            return false;
        }
        store.checkWritable();
        byte[] record = RecordFormat.encodeDelete(nameBytes, keyCodec.encode(key));
        long lsn;
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            if (memory.containsKey(key)) {
                return false;
            }
            lsn = log(key, record, tier);
        } finally {
            lock.unlock();
        }
        store.await(lsn, tier);
        return true;
    }

    /** {@link #update(Object, Consumer, Durability)} at the default tier. */
    public V update(K key, Consumer<Update<V>> updater) {
        return update(key, updater, defaultDurability);
    }

    /**
     * Atomic read-modify-write of one key. The updater sees the current value and calls {@link Update#set},
     * {@link Update#delete} or {@link Update#cancel} (the default: keep, write nothing). It runs under the key's
     * lock: keep it short. If it throws, or the codec cannot encode the new value, nothing changes.
     *
     * @param key     not null
     * @param updater decides the change
     * @param tier    how durable the change is when this returns
     * @return the value after the update, or null if the key is absent afterwards
     */
    public V update(K key, Consumer<Update<V>> updater, Durability tier) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(tier, "tier");
        checkOpen();
        long lsn = 0;
        V result;
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            V current = memory.get(key);
            Update<V> u = new Update<>(current);
            updater.accept(u);
            switch (u.action()) {
                case KEEP -> result = current;
                case SET -> {
                    V next = u.newValue();
                    byte[] record = null;
                    if (tier != Durability.MEMORY) {
                        store.checkWritable();
                        record = RecordFormat.encodeSet(nameBytes, keyCodec.encode(key), valueCodec.encode(next));
                    }
                    memory.put(key, next);
                    if (record != null) {
                        lsn = log(key, record, tier);
                    }
                    result = next;
                }
                case DELETE -> {
                    if (current != null) {
                        byte[] record = null;
                        if (tier != Durability.MEMORY) {
                            store.checkWritable();
                            record = RecordFormat.encodeDelete(nameBytes, keyCodec.encode(key));
                        }
                        memory.remove(key);
                        if (record != null) {
                            lsn = log(key, record, tier);
                        }
                    }
                    result = null;
                }
                default -> throw new AssertionError(u.action());
            }
        } finally {
            lock.unlock();
        }
        store.await(lsn, tier);
        return result;
    }

    /** Called under the key's lock: queues the record for the syncer (ASYNC) or appends it to the log. */
    private long log(K key, byte[] record, Durability tier) {
        if (tier == Durability.ASYNC) {
            dirty.put(key, record);
            return 0;
        }
        long lsn = store.writer().append(record);
        if (!dirty.isEmpty()) {
            // this record supersedes the pending ASYNC one; removed only once this one is appended, so that an
            // fsyncAll() that finds the key no longer dirty also finds its record in the log (see appendDirty)
            dirty.remove(key);
        }
        return lsn;
    }

    /**
     * Deletes every key of this map, each as by {@link #delete(Object, Durability)}.
     *
     * @param tier how durable the deletes are when this returns
     */
    public void clear(Durability tier) {
        for (K key : memory.keySet()) {
            delete(key, tier);
        }
    }

    /**
     * Visits the entries. Not a snapshot: as go-persist's Range, an entry changed meanwhile may be seen with either
     * value, and no key is visited twice.
     *
     * @param action gets each key and value
     */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        memory.forEach(action);
    }

    /**
     * Visits entries until {@code visitor} returns false (go-persist's Range).
     *
     * @param visitor gets each key and value; returns whether to go on
     */
    public void range(BiPredicate<? super K, ? super V> visitor) {
        for (Map.Entry<K, V> e : memory.entrySet()) {
            if (!visitor.test(e.getKey(), e.getValue())) {
                return;
            }
        }
    }

    /** @return the number of entries in memory */
    public int size() {
        return memory.size();
    }

    /**
     * Writes this map's pending ASYNC changes to the log (handed to the OS, not fsynced; the syncer or
     * {@link Store#fsyncAll()} does that).
     */
    public void sync() {
        appendDirty();
        // wait for everything appended so far, not only what this call appended: a concurrent syncer may have
        // taken some of these keys, and their records are appended but perhaps not yet written
        if (store.isOpen()) {
            store.await(store.writer().appendedLsn(), Durability.WRITE);
        }
    }

    /** Appends the latest record of each dirty key, under that key's lock so that order is kept. */
    long appendDirty() {
        long lsn = 0;
        for (K key : dirty.keySet()) {
            ReentrantLock lock = locks.lockFor(key);
            lock.lock();
            try {
                // append first, then remove: a concurrent appendDirty() (fsyncAll() beside the syncer) that no
                // longer sees the key must find its record already appended, or it would sync without it
                byte[] record = dirty.get(key);
                if (record != null) {
                    lsn = store.writer().append(record);
                    dirty.remove(key);
                }
            } finally {
                lock.unlock();
            }
        }
        return lsn;
    }

    /**
     * Drops an entry whose value turned out not to decode. For a map whose value codec defers decoding (it keeps the
     * bytes read from the log and decodes them later, as the JCache provider does after a restart) this is the drop
     * that the store does at load for a record that does not decode: the entry leaves memory if it still holds
     * {@code value}, nothing is written to the log (as at load, the record stays in the log until compaction, which
     * writes the live state without it), and it is counted in {@link StoreStats#undecodableRecords()}. The caller
     * reports it with {@link #logUndecodable}, once for many if it likes.
     *
     * @param key   not null
     * @param value the value that does not decode, as held in memory (compared by {@code equals})
     * @return whether it was dropped (false if the entry changed or left meanwhile)
     */
    public boolean dropUndecodable(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            // counted before it leaves memory, so that whoever no longer finds the entry also finds it counted
            store.countUndecodable(1);
            if (!memory.remove(key, value)) {
                store.countUndecodable(-1);
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Logs, in the words the store logs records it drops at load, that {@code count} entries of this map were dropped
     * with {@link #dropUndecodable}.
     *
     * @param count      how many
     * @param firstError why the first of them did not decode
     */
    public void logUndecodable(long count, RuntimeException firstError) {
        store.logUndecodable(name, count, firstError);
    }

    /** @return the number of keys whose ASYNC change is not yet in the log */
    public int pendingAsync() {
        return dirty.size();
    }

    /**
     * Unregisters this map: its pending ASYNC changes are written, its entries are kept in the log (as orphan
     * records until the namespace registers again), and further calls throw {@link IllegalStateException}.
     */
    public void close() {
        store.detach(this);
    }

    void markClosed() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("map '" + name + "' is closed");
        }
    }

    // --- used by the store: replay, adoption, compaction ---

    /** Decodes and adds a replayed record; false if it does not decode. */
    boolean adopt(byte[] key, byte[] value) {
        K k = keyCodec.decode(key);
        V v = valueCodec.decode(value);
        if (k == null || v == null) {
            throw new IllegalArgumentException("codec decoded null");
        }
        memory.put(k, v);
        return true;
    }

    /** For compaction: each entry encoded as a SET record. Entries that cannot be encoded are counted, skipped. */
    void forEachRecord(Consumer<byte[]> sink, Consumer<RuntimeException> unencodable) {
        for (Map.Entry<K, V> e : memory.entrySet()) {
            byte[] record;
            try {
                record = RecordFormat.encodeSet(nameBytes, keyCodec.encode(e.getKey()), valueCodec.encode(e.getValue()));
            } catch (RuntimeException ex) {
                unencodable.accept(ex);
                continue;
            }
            sink.accept(record);
        }
    }

    byte[] nameBytes() {
        return nameBytes;
    }

    Codec<K> keyCodec() {
        return keyCodec;
    }

    Codec<V> valueCodec() {
        return valueCodec;
    }

    ConcurrentMap<K, V> memory() {
        return memory;
    }

    @Override
    public String toString() {
        return "PersistMap[" + name + ", " + memory.size() + " entries]";
    }
}
