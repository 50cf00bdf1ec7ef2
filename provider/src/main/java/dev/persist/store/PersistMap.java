package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.RecordFormat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * A typed namespace of a {@link Store}: a concurrent map whose changes go to the store's log at the
 * {@link Durability} each call asks for (or the map's default).
 *
 * <p>Reads come from memory and never touch the log, unless the map is disk-backed ({@link MapConfig#disk}): then
 * memory is a bounded front, the store keeps an index of where each key's record is, and a read that misses memory
 * reads the record back (checksum verified) and puts the value in memory if the key was read back recently
 * before (a key read back once is not kept); a write of a key memory does not hold
 * goes to the log only (write-around). Each mutation runs in a per-key atomic section that updates memory and then
 * takes the record's place in the log, so two operations on one key reach the log in their memory
 * order; WRITE and FSYNC calls then wait for the write or fsync outside that section. Keys and values must not be
 * null. A value the codec cannot encode throws from the call and changes nothing.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class PersistMap<K, V> {
    private static final System.Logger LOG = System.getLogger(PersistMap.class.getName());
    private final Store store;
    private final String name;
    private final byte[] nameBytes;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final ConcurrentMap<K, V> memory;
    /** The same memory, for its users' reads ({@link MapMemory#read}). */
    private final MapMemory<K, V> reads;
    private final Durability evictionTier;
    private final EvictionRelay<K, V> evictions;
    private final Settling<K, V> settling;
    private final KeyLocks locks = new KeyLocks(256);
    /** ASYNC changes not yet in the log: key to its latest encoded records (see {@link Pending}). */
    private final ConcurrentMap<K, Pending> dirty = new ConcurrentHashMap<>();
    /** Set once this map has served as a companion (see {@link Update#setIn}): it may then take none itself. */
    private volatile boolean accompanying;
    private volatile Durability defaultDurability;
    /** Set when closing starts: a map registering the same namespace waits for the detach instead of failing. */
    private volatile boolean closing;
    private volatile boolean closed;
    /** The bound of a disk-backed map's live records in bytes; 0 if memory holds every entry. */
    private final long diskBytes;
    /** Where each key's record is, for a disk-backed map (null otherwise); set before the map is used. */
    private volatile DiskIndex index;
    /** The value codec, if it marks values plain ({@link DeferredCodec#isPlain}); else null. */
    private final DeferredCodec<V> plainMarks;
    /** {@link #plainMarks}' test of an appended value, or null. */
    private final java.util.function.Predicate<java.nio.ByteBuffer> plainTest;
    private final DiskEvictor<K> diskEvictor;
    /** Which values read back from disk go into memory (disk-backed maps; null otherwise). */
    private final SecondReadAdmission admission;
    /** Records of this map read back from disk because memory did not hold them ({@link DiskStats#reads}). */
    private final LongAdder diskReads = new LongAdder();

    PersistMap(Store store, MapConfig<K, V> config, DiskIndex index) {
        this.diskBytes = config.diskBytes();
        this.index = diskBytes > 0 ? (index != null ? index : new DiskIndex()) : null;
        this.diskEvictor = diskBytes > 0 ? new DiskEvictor<>(this, config.diskEvictions()) : null;
        this.admission = diskBytes > 0 ? new SecondReadAdmission() : null;
        this.store = store;
        this.name = config.name();
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.keyCodec = config.keyCodec();
        this.valueCodec = config.valueCodec();
        this.plainMarks = valueCodec instanceof DeferredCodec<V> d ? d : null;
        this.plainTest = plainMarks == null ? null : plainMarks::isPlain;
        MapMemory<K, V> mapMemory = config.newMemory();
        this.memory = mapMemory.asMap();
        this.reads = mapMemory;
        if (!memory.isEmpty()) {
            throw new IllegalArgumentException("the in-memory map of '" + name + "' must be empty");
        }
        this.defaultDurability = config.durability();
        this.evictionTier = config.evictionDurability();
        this.evictions = new EvictionRelay<>(store.evictionExecutor(), this::logEvictions);
        this.settling = new Settling<>(this);
        mapMemory.onEviction((key, value) -> {
            if (closed || key == null || diskBytes > 0) {
                return; // a disk-backed map's entry dropped from memory stays in the store
            }
            if (evictionTier != Durability.MEMORY) {
                evictions.offer(key, value);
            } else {
                store.noteUnloggedChange(); // memory no longer holds what the log holds
            }
        });
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
        V v = reads.read(Objects.requireNonNull(key, "key"));
        if (v != null || diskBytes == 0) {
            return v;
        }
        return readThrough(key, null, true);
    }

    /**
     * A key's value without putting it in memory: for visiting every entry of a disk-backed map without pushing
     * the recently used ones out of memory.
     *
     * @param key not null
     * @return the value, or null if absent
     */
    public V peek(K key) {
        return peek(Objects.requireNonNull(key, "key"), null);
    }

    /** {@link #peek(Object)} with the key's encoded bytes when the caller has them (else null). */
    private V peek(K key, byte[] keyBytes) {
        V v = memory.get(key);
        if (v != null || diskBytes == 0) {
            return v;
        }
        return readThrough(key, keyBytes, false);
    }

    /**
     * A disk-backed map's read that missed memory: under the key's lock, from the store; into memory if asked and
     * the key was read from disk recently before (see {@link SecondReadAdmission}). {@code keyBytes} is the key
     * encoded, or null to encode it here.
     */
    private V readThrough(K key, byte[] keyBytes, boolean promote) {
        byte[] kb = keyBytes != null ? keyBytes : keyCodec.encode(key);
        DiskIndex idx = index;
        // the disk read without the key's lock, so that readers of keys sharing a stripe do not queue behind
        // each other's I/O; it counts only if, under the lock, nothing changed the key meanwhile (a write moves
        // its index entry, a delete removes it, an ASYNC change is pending)
        DiskReads.Unlocked read = hasPending(key) ? null : DiskReads.valueUnlocked(store, this, idx, kb);
        V decoded = read == null || read.value() == null ? null : decodeUnlocked(read.value());
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            V v = memory.get(key);
            if (v != null) {
                return v;
            }
            if (decoded != null && !hasPending(key) && read.stillAt(idx, kb)) {
                v = decoded;
            } else {
                v = fromStore(key, kb);
            }
            // a key read back once in a while is served without the insert into memory (and the eviction of
            // another entry) that keeping it would cost; one read again soon is kept from its second read on
            if (v != null && promote && admission.admit(key)) {
                memory.put(key, v);
            }
            return v;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called under the key's lock, for a disk-backed map: the key's value beyond memory, from its pending ASYNC
     * record or from its record in the log; null if absent, or if the record is damaged or does not decode (the
     * entry is then dropped: see {@link #dropDamaged}). {@code knownKeyBytes} is the key encoded, or null to encode
     * it here.
     */
    private V fromStore(K key, byte[] knownKeyBytes) {
        Pending pending = dirty.isEmpty() ? null : dirty.get(key);
        if (pending != null && pending.own != null) {
            RecordFormat.Record r = new RecordFormat.Record();
            // this process encoded the record: parsing it is enough, its CRC cannot be wrong
            RecordFormat.parseBody(pending.own, 0, pending.own.length, r);
            return r.isDelete() ? null : decodeStored(key, null, r.value());
        }
        DiskIndex idx = index;
        byte[] keyBytes = knownKeyBytes != null ? knownKeyBytes : keyCodec.encode(key);
        byte[] value = DiskReads.value(store, this, key, idx, keyBytes);
        return value == null ? null : decodeStored(key, keyBytes, value);
    }

    /** Decodes a value read without the key's lock: null if it does not decode (the locked read then drops it). */
    private V decodeUnlocked(byte[] value) {
        try {
            return valueCodec.decode(value);
        } catch (RuntimeException | LinkageError | StackOverflowError | OutOfMemoryError e) {
            return null;
        }
    }

    /** Decodes a value read back from the store; one that does not decode is dropped as at load. */
    private V decodeStored(K key, byte[] keyBytes, byte[] value) {
        try {
            V v = valueCodec.decode(value);
            if (v == null) {
                throw new IllegalArgumentException("codec decoded null");
            }
            return v;
        } catch (RuntimeException | LinkageError | StackOverflowError | OutOfMemoryError e) {
            store.countUndecodable(1);
            store.logUndecodable(name, 1, e);
            forget(key, keyBytes != null ? keyBytes : keyCodec.encode(key));
            return null;
        }
    }

    /**
     * Called under the key's lock by {@link DiskReads}: the record a disk-resident entry points at is damaged (a
     * checksum that does not match, a record of another key, a log that ends too soon). It is never returned as a
     * value: the entry is dropped (a delete logged, so a restart does not meet it either), counted in
     * {@link StoreStats#damagedReads()} and logged at ERROR; the read is a miss.
     */
    void dropDamaged(K key, byte[] keyBytes, long position, String why) {
        store.countDamagedRead();
        LOG.log(System.Logger.Level.ERROR, "damaged record of '" + name + "' at " + store.writer().describe(position)
                + " (" + why + "): the entry is dropped and the read is a miss");
        forget(key, keyBytes);
    }

    /** Called under the key's lock: the key leaves memory and the index, and its delete is queued for the log. */
    private void forget(K key, byte[] keyBytes) {
        memory.remove(key);
        if (index != null) {
            index.remove(keyBytes);
        }
        if (!closing && store.isOpen() && store.writer().failure() == null) {
            log(key, RecordFormat.encodeDelete(nameBytes, keyBytes), Durability.ASYNC);
        }
    }

    /** Called under the key's lock: whether the store holds a value for the key beyond memory (disk-backed maps). */
    private boolean storedBeyondMemory(K key) {
        Pending pending = dirty.isEmpty() ? null : dirty.get(key);
        if (pending != null && pending.own != null) {
            return pending.own[RecordFormat.RECORD_PREFIX] == RecordFormat.SET;
        }
        return index.contains(keyCodec.encode(key));
    }

    /**
     * @param key not null
     * @return whether the key is present
     */
    public boolean containsKey(K key) {
        if (memory.containsKey(Objects.requireNonNull(key, "key"))) {
            return true;
        }
        if (diskBytes == 0) {
            return false;
        }
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            return memory.containsKey(key) || storedBeyondMemory(key);
        } finally {
            lock.unlock();
        }
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
        tier = effective(tier);
        if (tier == Durability.MEMORY) {
            ReentrantLock lock = locks.lockFor(key);
            lock.lock();
            try {
                memory.put(key, value);
            } finally {
                lock.unlock();
            }
            store.noteUnloggedChange();
            return;
        }
        store.checkWritable();
        byte[] record = RecordFormat.encodeSet(nameBytes, keyCodec.encode(key), valueCodec.encode(value));
        long lsn;
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            if (diskBytes == 0) {
                memory.put(key, value);
            } else {
                memory.replace(key, value); // written around memory unless it holds the key (see keepInMemory)
            }
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
        tier = effective(tier);
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
            boolean stored = diskBytes > 0 && storedBeyondMemory(key);
            existed = memory.remove(key) != null || stored;
            lsn = record == null ? 0 : log(key, record, tier);
        } finally {
            lock.unlock();
        }
        if (record == null) {
            store.noteUnloggedChange();
        }
        store.await(lsn, tier);
        return existed;
    }

    /**
     * Logs a delete for each key the in-memory map dropped on its own (see {@link MapMemory#onEviction}), unless
     * memory holds another value for it by now: checked under the key's lock, so a put of the same key that raced
     * the eviction is never undone in the log. The value evicted is compared by identity, not absence: the memory may
     * report an eviction before the mapping is gone (Caffeine calls its listener inside its own atomic section for
     * the key). One batch is made as durable as the eviction tier says with one write or fsync for all.
     */
    private void logEvictions(List<EvictionRelay.Evicted<K, V>> evicted) {
        if (closed) {
            return;
        }
        Durability perKey = evictionTier == Durability.WRITE || evictionTier == Durability.FSYNC
                ? Durability.ASYNC : evictionTier;
        for (EvictionRelay.Evicted<K, V> e : evicted) {
            K key = e.key();
            byte[] record = RecordFormat.encodeDelete(nameBytes, keyCodec.encode(key));
            ReentrantLock lock = locks.lockFor(key);
            lock.lock();
            try {
                V now = memory.get(key);
                if (now == null || now == e.value()) {
                    log(key, record, perKey);
                }
            } finally {
                lock.unlock();
            }
        }
        if (evictionTier == Durability.WRITE) {
            sync();
        } else if (evictionTier == Durability.FSYNC) {
            sync();
            store.fsyncAll();
        }
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
        return update(key, updater, tier, false);
    }

    /**
     * {@link #update(Object, Consumer, Durability)} for an updater that needs to know of the current value no more
     * than a {@link DeferredCodec#plainStandIn() stand-in} tells (the JCache provider's put that returns nothing and
     * that no listener hears): for a key that memory does not hold and whose record the index marks plain
     * ({@link DeferredCodec#isPlain}), the updater sees the codec's stand-in instead of the value, and the record is
     * not read back. Every other key is read as by {@code update}. Also unlike {@code update}: a damaged record of a
     * plain key is not noticed (it is overwritten or deleted, as the updater decides), and the value returned after
     * an update that keeps the entry may be the stand-in.
     *
     * @param key     not null
     * @param updater decides the change
     * @param tier    how durable the change is when this returns
     * @return the value after the update (possibly the stand-in, see above), or null if the key is absent afterwards
     */
    public V updateBlind(K key, Consumer<Update<V>> updater, Durability tier) {
        return update(key, updater, tier, true);
    }

    private V update(K key, Consumer<Update<V>> updater, Durability tier, boolean blind) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(tier, "tier");
        checkOpen();
        tier = effective(tier);
        long lsn = 0;
        V result;
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            V current = memory.get(key);
            boolean fromStore = false;
            boolean standIn = false;
            byte[] keyBytes = null; // encoded once for the store's lookups and this update's record
            if (current == null && diskBytes > 0) {
                keyBytes = keyCodec.encode(key);
                current = blind ? plainStandIn(key, keyBytes) : null;
                standIn = current != null;
                if (!standIn) {
                    current = fromStore(key, keyBytes);
                }
                fromStore = current != null;
            }
            Update<V> u = new Update<>(current);
            updater.accept(u);
            PersistMap<K, Object> companion = companionOf(u);
            byte[] companionRecord = null;
            if (companion != null && tier != Durability.MEMORY) {
                store.checkWritable();
                companionRecord = companion.encodeRecord(key, u.companionValue());
            }
            byte[] record = null;
            if (tier == Durability.MEMORY && u.action() != Update.Action.KEEP) {
                store.noteUnloggedChange();
            }
            switch (u.action()) {
                case KEEP -> {
                    if (fromStore && !standIn) {
                        memory.put(key, current); // read: now recently used
                    }
                    result = current;
                }
                case SET -> {
                    V next = u.newValue();
                    if (tier != Durability.MEMORY) {
                        store.checkWritable();
                        record = RecordFormat.encodeSet(nameBytes,
                                keyBytes != null ? keyBytes : keyCodec.encode(key), valueCodec.encode(next));
                    }
                    keepInMemory(key, next, current != null && !fromStore);
                    result = next;
                }
                case DELETE -> {
                    if (current != null) {
                        if (tier != Durability.MEMORY) {
                            store.checkWritable();
                            record = RecordFormat.encodeDelete(nameBytes,
                                    keyBytes != null ? keyBytes : keyCodec.encode(key));
                        }
                        memory.remove(key);
                    }
                    result = null;
                }
                default -> throw new AssertionError(u.action());
            }
            if (companion != null) {
                companion.applyCompanion(key, u.companionValue());
            }
            if (record != null || companionRecord != null) {
                lsn = log(key, companionRecord, record, tier);
            }
        } finally {
            lock.unlock();
        }
        store.await(lsn, tier);
        return result;
    }

    /**
     * Called under the key's lock, for a disk-backed map, by a blind update of a key memory does not hold: the
     * codec's stand-in if the key's record is marked plain and no ASYNC change of the key is pending (its record is
     * not in the index yet), else null (the caller reads the record).
     */
    private V plainStandIn(K key, byte[] keyBytes) {
        if (plainMarks == null || (!dirty.isEmpty() && dirty.containsKey(key))) {
            return null;
        }
        long location = index.location(keyBytes);
        return location != DiskIndex.NONE && DiskIndex.isPlain(location) ? plainMarks.plainStandIn() : null;
    }

    /**
     * Puts a written value in memory. A disk-backed map writes around its front: a key the front does not hold
     * stays on disk only, so a burst of writes does not push the entries being read out of memory (the next read
     * of the key reads it back, and keeps it). A key the front holds is updated there. Called under the key's lock.
     */
    private void keepInMemory(K key, V value, boolean inMemory) {
        if (diskBytes == 0 || inMemory) {
            memory.put(key, value);
        }
    }

    /**
     * The ASYNC change of a key not yet in the log: the latest record of a companion map for the key (see
     * {@link Update#setIn}), or null, and the latest record of the key itself, or null. Appended companion first.
     */
    private record Pending(byte[] companion, byte[] own) {
        /** This change followed by a later one of the same key: each part the later one's if it has one. */
        Pending then(Pending later) {
            return new Pending(later.companion != null ? later.companion : companion,
                    later.own != null ? later.own : own);
        }

        /**
         * Heap a waiting change takes beside its records' bytes: this object and the {@code dirty} map's node for it
         * ({@value}); each record array's header adds {@link #ARRAY_HEADER_BYTES}. Sizes of a 64-bit JVM with
         * compressed references. Counted so that a backlog of small records (a few dozen bytes each) does not take
         * several times its bound of heap.
         */
        static final int OVERHEAD_BYTES = 64;
        /** The header of a {@code byte[]}. */
        static final int ARRAY_HEADER_BYTES = 16;

        /** @return the heap it takes: its records and the objects around them (counted in the ASYNC backlog) */
        long bytes() {
            return OVERHEAD_BYTES + arrayBytes(companion) + arrayBytes(own);
        }

        private static long arrayBytes(byte[] record) {
            return record == null ? 0 : ARRAY_HEADER_BYTES + record.length;
        }
    }

    /** @return the companion map an update names, checked, or null */
    @SuppressWarnings("unchecked")
    private PersistMap<K, Object> companionOf(Update<V> u) {
        PersistMap<?, ?> companion = u.companion();
        if (companion == null) {
            return null;
        }
        if (companion == this || companion.store != store) {
            throw new IllegalArgumentException("a companion of '" + name + "' must be another map of the same store");
        }
        if (accompanying) {
            throw new IllegalStateException("'" + name + "' is a companion map and cannot have one itself");
        }
        if (companion.diskBytes > 0) {
            throw new IllegalArgumentException("a disk-backed map ('" + companion.name + "') cannot be a companion");
        }
        companion.checkOpen();
        companion.accompanying = true;
        return (PersistMap<K, Object>) companion;
    }

    /** The SET or DELETE record of a companion change of {@code key} (a null value deletes). */
    private byte[] encodeRecord(K key, V value) {
        return value == null ? RecordFormat.encodeDelete(nameBytes, keyCodec.encode(key))
                : RecordFormat.encodeSet(nameBytes, keyCodec.encode(key), valueCodec.encode(value));
    }

    /** A companion change in memory, made under the accompanied key's lock and then under this map's own. */
    private void applyCompanion(K key, V value) {
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            if (value == null) {
                memory.remove(key);
            } else {
                memory.put(key, value);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called under the key's lock: adds a change to the key's pending ASYNC change, counted in the backlog. */
    private void queue(K key, Pending change) {
        Pending before = dirty.get(key);
        Pending after = before == null ? change : before.then(change);
        dirty.put(key, after);
        store.addAsyncBacklog(after.bytes() - (before == null ? 0 : before.bytes()));
    }

    /** Called under the key's lock, once its pending ASYNC change is in the log: no longer pending. */
    private void unqueue(K key) {
        Pending removed = dirty.remove(key);
        if (removed != null) {
            store.addAsyncBacklog(-removed.bytes());
        }
    }

    /** Called under the key's lock: queues the record for the syncer (ASYNC) or appends it to the log. */
    private long log(K key, byte[] record, Durability tier) {
        return log(key, null, record, tier);
    }

    /**
     * Called under the key's lock: queues the records for the syncer (ASYNC) or appends them to the log, a
     * companion's record (or null) before the key's own (or null).
     */
    private long log(K key, byte[] companionRecord, byte[] record, Durability tier) {
        if (tier == Durability.ASYNC) {
            if (!store.asyncBacklogFull()) {
                queue(key, new Pending(companionRecord, record));
                return 0;
            }
            store.countAsyncOverflow();
        }
        // WRITE and FSYNC, and ASYNC once the syncer's backlog is full: appended now (the caller then waits for the
        // write, see Store#await), so that a writer outpacing the syncer cannot fill the heap with waiting records
        Pending pending = dirty.isEmpty() ? null : dirty.get(key);
        if (companionRecord == null && pending != null) {
            // a companion record still pending at ASYNC must not be dropped with the rest of the key's change
            companionRecord = pending.companion;
        }
        // the key's own pending change, if this one has none, goes after the companion's
        long lsn = appendInOrder(companionRecord, record != null ? record : pending != null ? pending.own : null);
        if (pending != null) {
            // this record supersedes the pending ASYNC one; removed only once this one is appended, so that an
            // fsyncAll() that finds the key no longer dirty also finds its record in the log (see appendDirty)
            unqueue(key);
        }
        return lsn;
    }

    /**
     * Appends one of this map's own records: for a disk-backed map, the index then points the key at it (or drops
     * the key, for a delete), under the store's disk lock so that shrinking never sees the record without its index
     * entry; when the live records outgrow the bound, the oldest are evicted in the background.
     */
    private long appendOwn(byte[] record) {
        return appendOwn(null, record);
    }

    /**
     * Called under the key's lock: appends a companion's record (or null) and the key's own (or null), the companion
     * first; both in one write, so that no crash keeps the companion's record without the change it accompanies.
     */
    private long appendInOrder(byte[] companionRecord, byte[] own) {
        if (own == null) {
            return companionRecord == null ? 0 : store.writer().append(companionRecord);
        }
        return appendOwn(companionRecord, own);
    }

    /** As {@link #appendOwn(byte[])}, with a companion's record (or null) just before it, in the same write. */
    private long appendOwn(byte[] companionRecord, byte[] record) {
        DiskIndex idx = index;
        if (idx == null) {
            return companionRecord == null ? store.writer().append(record)
                    : store.writer().appendPair(companionRecord, record);
        }
        long lsn = DiskWrites.append(store, idx, companionRecord, record, plainTest);
        if (idx.liveBytes() > diskBytes) {
            diskEvictor.schedule(store.evictionExecutor());
        }
        return lsn;
    }

    /** MEMORY is no tier of a disk-backed map: memory may drop the value at any time, so it goes to the log. */
    private Durability effective(Durability tier) {
        return tier == Durability.MEMORY && diskBytes > 0 ? Durability.ASYNC : tier;
    }

    /**
     * Deletes every key of this map, each as by {@link #delete(Object, Durability)}.
     *
     * @param tier how durable the deletes are when this returns
     */
    public void clear(Durability tier) {
        for (Iterator<K> it = keys(); it.hasNext(); ) {
            delete(it.next(), tier);
        }
    }

    /**
     * The keys (weakly consistent: a key changed meanwhile may or may not be seen; none twice): memory's for a map
     * held in memory; every key of the index and of the changes not yet written for a disk-backed map.
     *
     * @return the keys
     */
    public Iterator<K> keys() {
        DiskIndex idx = index;
        if (idx == null) {
            return memory.keySet().iterator();
        }
        Iterator<DiskIndex.Entry> indexed = idx.entries().iterator();
        Iterator<K> pending = unwritten(idx).iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return indexed.hasNext() || pending.hasNext();
            }

            @Override
            public K next() {
                return indexed.hasNext() ? keyCodec.decode(indexed.next().key) : pending.next();
            }
        };
    }

    /** @return the keys of pending ASYNC sets that {@code idx} does not hold yet */
    private List<K> unwritten(DiskIndex idx) {
        List<K> unwritten = new ArrayList<>();
        for (Map.Entry<K, Pending> e : dirty.entrySet()) {
            byte[] own = e.getValue().own;
            if (own != null && own[RecordFormat.RECORD_PREFIX] == RecordFormat.SET
                    && !idx.contains(keyCodec.encode(e.getKey()))) {
                unwritten.add(e.getKey());
            }
        }
        return unwritten;
    }

    /**
     * The entries, as {@link #keys()} with each key's value as by {@link #peek} (keys whose value is gone by then are
     * skipped): for a disk-backed map, a value not in memory is read back from the log without being kept in memory,
     * so a pass over the whole map does not push out what is in use. A key from the index is looked up with the
     * index's own bytes, not encoded again.
     *
     * @return the entries, weakly consistent as {@link #keys()}
     */
    public Iterator<Map.Entry<K, V>> entries() {
        DiskIndex idx = index;
        Iterator<DiskIndex.Entry> indexed = idx == null ? java.util.Collections.emptyIterator()
                : idx.entries().iterator();
        Iterator<K> others = idx == null ? memory.keySet().iterator() : unwritten(idx).iterator();
        return new Iterator<>() {
            private Map.Entry<K, V> next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    K k;
                    V v;
                    if (indexed.hasNext()) {
                        byte[] keyBytes = indexed.next().key;
                        k = Objects.requireNonNull(keyCodec.decode(keyBytes), "key");
                        v = peek(k, keyBytes);
                    } else if (others.hasNext()) {
                        k = others.next();
                        v = peek(k);
                    } else {
                        break;
                    }
                    if (v != null) {
                        next = new java.util.AbstractMap.SimpleImmutableEntry<>(k, v);
                    }
                }
                return next != null;
            }

            @Override
            public Map.Entry<K, V> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Map.Entry<K, V> e = next;
                next = null;
                return e;
            }
        };
    }

    /**
     * Visits the entries. Not a snapshot: as go-persist's Range, an entry changed meanwhile may be seen with either
     * value, and no key is visited twice.
     *
     * @param action gets each key and value
     */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        if (diskBytes == 0) {
            memory.forEach(action);
            return;
        }
        range((k, v) -> {
            action.accept(k, v);
            return true;
        });
    }

    /**
     * Visits entries until {@code visitor} returns false (go-persist's Range).
     *
     * @param visitor gets each key and value; returns whether to go on
     */
    public void range(BiPredicate<? super K, ? super V> visitor) {
        if (diskBytes > 0) {
            for (Iterator<Map.Entry<K, V>> it = entries(); it.hasNext(); ) {
                Map.Entry<K, V> e = it.next();
                if (!visitor.test(e.getKey(), e.getValue())) {
                    return;
                }
            }
            return;
        }
        for (Map.Entry<K, V> e : memory.entrySet()) {
            if (!visitor.test(e.getKey(), e.getValue())) {
                return;
            }
        }
    }

    /** @return the number of entries: in memory, or in the store for a disk-backed map */
    public int size() {
        DiskIndex idx = index;
        if (idx == null) {
            return memory.size();
        }
        int unwritten = 0;
        for (Map.Entry<K, Pending> e : dirty.entrySet()) {
            byte[] own = e.getValue().own;
            if (own != null && own[RecordFormat.RECORD_PREFIX] == RecordFormat.SET
                    && !idx.contains(keyCodec.encode(e.getKey()))) {
                unwritten++;
            }
        }
        return idx.size() + unwritten;
    }

    /** @return whether this map is disk-backed ({@link MapConfig#disk}) */
    public boolean isDiskBacked() {
        return diskBytes > 0;
    }

    /**
     * The disk side of a disk-backed map, read now: what its memory and disk bounds are sized by.
     *
     * @return entries and bytes on disk, the bound, the entries in memory, and the reads from disk since open
     * @throws IllegalStateException if the map is not disk-backed (its memory holds every entry: {@link #size()})
     */
    public DiskStats diskStats() {
        DiskIndex idx = index;
        if (idx == null) {
            throw new IllegalStateException("map '" + name + "' is not disk-backed: memory holds all its "
                    + size() + " entries");
        }
        return new DiskStats(idx.size(), idx.liveBytes(), diskBytes, memory.size(), diskReads.sum());
    }

    /** Called by {@link DiskReads} for each record of this map it reads back. */
    void countDiskRead() {
        diskReads.increment();
        store.countDiskRead();
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
                Pending pending = dirty.get(key);
                if (pending != null) {
                    lsn = appendInOrder(pending.companion, pending.own);
                    unqueue(key);
                }
            } finally {
                lock.unlock();
            }
        }
        return lsn;
    }

    /**
     * The one place where a value read back from the log by a {@link DeferredCodec} is settled: every read of such a
     * map's entries goes through it. Returns {@code value} itself if the codec does not defer, or the value is null
     * or settled. Else the value is decoded now: if it decodes, it is swapped in memory for its settled form (unless
     * the entry changed meanwhile: a concurrent put wins) and the settled form is returned. If it does not decode, it
     * is dropped (gone from memory, a delete logged, counted in {@link StoreStats#undecodableRecords()}, logged) and
     * null is returned: the caller sees no entry.
     *
     * @param key   the key
     * @param value its value as found in memory, or null
     * @return the value settled, or null if absent or undecodable
     */
    public V settled(K key, V value) {
        if (value == null || !(valueCodec instanceof DeferredCodec<V> deferred) || deferred.isSettled(value)) {
            return value;
        }
        V settledValue;
        try {
            settledValue = deferred.settle(value);
            if (settledValue == null) {
                throw new IllegalArgumentException("the value codec settled a value as null");
            }
        } catch (RuntimeException | LinkageError | StackOverflowError | OutOfMemoryError e) {
            // an Error here comes from decoding this one record (a class that changed, a hostile size): the entry
            // is dropped like any undecodable one, and the thread lives
            dropUndecodable(key, value, e);
            return null;
        }
        memory.replace(key, value, settledValue);
        return settledValue;
    }

    /**
     * Settles {@code value} with a settled form its caller made from a decode it needed anyway (a read handing out the
     * decoded value): swaps it in memory as {@link #settled} would, unless the entry changed meanwhile, without
     * decoding it again. A value that did not decode is settled through {@link #settled}, which drops it.
     *
     * @param key           the key
     * @param value         its unsettled value, as found in memory
     * @param settledValue  the settled form of the same value
     */
    public void settledAs(K key, V value, V settledValue) {
        memory.replace(Objects.requireNonNull(key, "key"), value, settledValue);
    }

    /** Drops an entry whose value does not decode, if memory still holds it: counted, deleted in the log, logged. */
    private void dropUndecodable(K key, V value, Throwable error) {
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            // looked at first: a second reader of the same value (the settling pass meets the entry a read already
            // dropped) must not count it, even for an instant
            V current = memory.get(key);
            boolean inMemory = value.equals(current);
            boolean onDiskOnly = current == null && diskBytes > 0 && storedBeyondMemory(key);
            if (!inMemory && !onDiskOnly) {
                return;
            }
            // counted before it leaves memory, so that whoever no longer finds the entry also finds it counted
            store.countUndecodable(1);
            if (inMemory && !memory.remove(key, value)) {
                store.countUndecodable(-1); // evicted or replaced in between (neither takes the key lock)
                return;
            }
            if (index != null) {
                index.remove(keyCodec.encode(key));
            }
            if (!closing && store.isOpen() && store.writer().failure() == null) {
                // so that the next restart does not meet the record again; ASYNC: the syncer writes it
                log(key, RecordFormat.encodeDelete(nameBytes, keyCodec.encode(key)), Durability.ASYNC);
            }
        } finally {
            lock.unlock();
        }
        settling.undecodable(error);
    }

    /**
     * Waits until the entries adopted from the log when this map registered are settled (only for a
     * {@link DeferredCodec}): each decoded once by a background pass, values that do not decode dropped. Nothing
     * needs to wait for it: {@link #settled} settles an entry on demand. Immediate if nothing was adopted; closing
     * the map stops the pass.
     *
     * @param timeout how long to wait at most
     * @param unit    its unit
     * @return true if the pass is over, false if the time ran out
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitSettled(long timeout, TimeUnit unit) throws InterruptedException {
        return settling.await(timeout, unit);
    }

    /** Starts the background settling pass over adopted entries, if the codec defers decoding. */
    void startSettling() {
        if (valueCodec instanceof DeferredCodec<?> && !memory.isEmpty()) {
            settling.start(store.settlingExecutor());
        }
    }

    boolean isClosed() {
        return closed;
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

    /**
     * The first step of closing: registrations of this namespace wait from now on, the settling pass stops, and
     * the deletes of evicted entries queued so far are logged.
     */
    void quiesce() {
        closing = true;
        settling.stop();
        if (!evictions.awaitIdle(TimeUnit.SECONDS.toNanos(10))) {
            LOG.log(System.Logger.Level.WARNING, "deletes of entries evicted from '" + name + "' still pending at "
                    + "close; those entries may come back after a restart");
        }
    }

    boolean isClosing() {
        return closing;
    }

    /** @return whether the map is registered and not closing */
    public boolean isOpen() {
        return !closing && !closed;
    }

    void markClosed() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("map '" + name + "' is closed");
        }
    }

    // --- used by the store: replay, adoption, shrinking ---

    /**
     * Decodes and adds a replayed record; false if it does not decode. A disk-backed map adopting a value held in
     * memory (its namespace was not disk-backed when the log was read) writes it to the log again, to have its place.
     */
    boolean adopt(byte[] key, byte[] value) {
        K k = keyCodec.decode(key);
        V v = valueCodec.decode(value);
        if (k == null || v == null) {
            throw new IllegalArgumentException("codec decoded null");
        }
        if (diskBytes > 0) {
            appendOwn(RecordFormat.encodeSet(nameBytes, key, value));
            return true;
        }
        memory.put(k, v);
        return true;
    }

    /** Called while the store opens, before any other use: the index replay built for this namespace. */
    void installIndex(DiskIndex replayed) {
        this.index = replayed;
    }

    /** @return the index of a disk-backed map, or null */
    DiskIndex diskIndex() {
        return index;
    }

    /** @return the disk bound in bytes, 0 if not disk-backed */
    long diskBytes() {
        return diskBytes;
    }

    KeyLocks locks() {
        return locks;
    }

    /** @return the tier of the deletes of evicted entries */
    Durability evictionDurability() {
        return evictionTier;
    }

    /** Whether a change of the key waits in the ASYNC queue (the eviction of its old record must not undo it). */
    boolean hasPending(K key) {
        return !dirty.isEmpty() && dirty.containsKey(key);
    }

    /** For the disk evictor, under the key's lock: drops the key from memory after its delete was appended. */
    void evicted(K key) {
        memory.remove(key);
    }

    /** For shrinking: each entry encoded as a SET record. Entries that cannot be encoded are counted, skipped. */
    void forEachRecord(Consumer<byte[]> sink, Consumer<RuntimeException> unencodable) {
        if (diskBytes > 0) {
            return; // its records are copied from the log by the shrink's scan, not rewritten from memory
        }
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
        return "PersistMap[" + name + ", " + size() + " entries" + (diskBytes > 0 ? ", disk-backed" : "") + "]";
    }
}
