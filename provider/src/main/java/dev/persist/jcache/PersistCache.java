package dev.persist.jcache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.persist.jcache.codec.CodecChoice;
import dev.persist.jcache.codec.SerialAllowlist;
import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.OperationTiers;
import dev.persist.jcache.event.EventBatch;
import dev.persist.jcache.event.Listeners;
import dev.persist.jcache.management.CacheConfigurationBean;
import dev.persist.jcache.management.CacheStats;
import dev.persist.jcache.management.MBeans;
import dev.persist.store.Codec;
import dev.persist.store.Durability;
import dev.persist.store.MapConfig;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JSR-107 cache whose entries live in a Caffeine cache (the only in-memory copy) and in a namespace of the
 * manager's write-ahead-log store, written at the tier configured for each kind of operation.
 *
 * <p>Every operation on a key runs in the store's atomic per-key section ({@link PersistMap#update}), which also
 * covers the cache writer call, so the writer, memory and the log change together or not at all. Events are
 * collected there and delivered when the section is over. Expiry is lazy: an entry past its time is treated as
 * absent, and dropped (with an EXPIRED event) by the next operation that meets it.
 *
 * <p>Store-by-value caches hold values encoded (every read decodes a copy); store-by-reference caches hold the
 * application's objects and are memory-only (see {@link PersistCacheManager}).
 *
 * <p>Entries read back from the log when the cache is created hold their bytes undecoded ({@link Stored#isSettled()}
 * false), so that a restart does not cost a deserialization per entry before the cache is ready. A background pass
 * started right after creation settles them (decodes each once; immutable values are then held as objects), and a
 * read that meets one first settles it itself. Either way a value that no longer decodes (its class changed) is
 * dropped then, counted in the store's {@code undecodableRecords} and logged, and every operation treats it as absent
 * (a miss, never an exception), as if it had been dropped at load: all reads of held entries go through
 * {@link #settled}.
 *
 * <p>Beyond JCache, {@link #unwrap} gives the {@link PersistMap} and {@link Store} of the cache.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class PersistCache<K, V> implements Cache<K, V> {
    private static final System.Logger LOG = System.getLogger(PersistCache.class.getName());
    /** Runs the background settling pass of each new cache; tests of this package replace it to hold the pass back. */
    static volatile Executor settler = Background::run;

    private final PersistCacheManager manager;
    private final String name;
    private final MutableConfiguration<K, V> configuration;
    private final Integration<K, V> integration;
    private final ExpiryTimes expiry;
    private final Form<K> keys;
    private final Form<V> values;
    private final Class<?> keyType;
    private final Class<?> valueType;
    private final OperationTiers tiers;
    private final boolean persistent;
    private final com.github.benmanes.caffeine.cache.Cache<Object, Stored> memory;
    private final PersistMap<Object, Stored> map;
    private final Listeners<K, V> listeners;
    private final EventBatch<K, V> noEvents = new EventBatch<>(this, false);
    private final CacheStats stats = new CacheStats();
    /** Eviction tasks handed to background threads and not yet done: close waits for them. */
    private final AtomicInteger pendingEvictions = new AtomicInteger();
    private final ObjectName configurationName;
    private final ObjectName statisticsName;
    /** Done when the background pass has settled every entry read back from the log, or stopped at close. */
    private final CompletableFuture<Void> settling;
    /** Taken by the settling pass when it starts, or by close if it has not started yet (it then never runs). */
    private final AtomicBoolean settlingClaimed = new AtomicBoolean();
    /** Values read back from the log that this cache dropped because they no longer decode; the first error. */
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicReference<RuntimeException> firstUndecodable = new AtomicReference<>();
    /** Set once the drops counted so far are logged (end of the pass): later drops are logged one by one. */
    private volatile boolean undecodableSummarized;
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    PersistCache(PersistCacheManager manager, String name, CompleteConfiguration<K, V> config,
                 CacheSettings settings, Store store, boolean persistent) {
        this.manager = manager;
        this.name = name;
        this.configuration = new MutableConfiguration<>(config);
        this.persistent = persistent;
        this.keyType = configuration.getKeyType();
        this.valueType = configuration.getValueType();
        CacheLoader<K, V> loader = configuration.getCacheLoaderFactory() == null
                ? null : configuration.getCacheLoaderFactory().create();
        CacheWriter<K, V> writer = configuration.getCacheWriterFactory() == null
                ? null : (CacheWriter<K, V>) configuration.getCacheWriterFactory().create();
        this.integration = new Integration<>(name, loader, writer, configuration.isReadThrough(),
                configuration.isWriteThrough());
        this.expiry = new ExpiryTimes(configuration.getExpiryPolicyFactory().create());
        // a memory-only cache writes nothing, whatever the configuration says
        this.tiers = persistent ? settings.tiers() : OperationTiers.all(Durability.MEMORY);

        ClassLoader classLoader = manager.getClassLoader();
        SerialAllowlist allowlist = SerialAllowlist.of(name, settings.serialAllow(), keyType, valueType);
        Codec<K> keyCodec = CodecChoice.keys(keyType, classLoader, allowlist);
        Codec<V> valueCodec = CodecChoice.values(settings.codec(), valueType, classLoader, allowlist);
        if (configuration.isStoreByValue()) {
            this.keys = Form.copiedKeys(keyCodec);
            this.values = Form.encoded(valueCodec);
        } else {
            this.keys = Form.reference();
            this.values = Form.reference();
        }

        String namespace = CacheNamespaces.namespaceOf(name);
        Caffeine<Object, Object> builder = Caffeine.newBuilder();
        // the entries the log holds for this cache are adopted below: size the hash table for them at once instead
        // of growing it (and rehashing) about twenty times on the way to a million entries
        long adopting = store.orphanCount(namespace);
        if (settings.maximumSize() != null) {
            adopting = Math.min(adopting, settings.maximumSize());
        }
        if (adopting > 0) {
            builder.initialCapacity((int) adopting);
        }
        this.settling = adopting > 0 ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
        if (settings.maximumSize() != null) {
            builder.maximumSize(settings.maximumSize());
        } else if (settings.maximumWeight() != null) {
            // the weight of an entry is about the size of its stored value: its encoded bytes, twice the length of
            // a string (UTF-16), 16 for another object held as it is
            builder.maximumWeight(settings.maximumWeight()).weigher((Object k, Stored v) -> Long.BYTES
                    + (v.payload instanceof byte[] b ? b.length : v.payload instanceof String str ? 2 * str.length() : 16));
        }
        if (!expiry.eternal()) {
            // Caffeine hides an entry once its expiry time has passed and drops it soon after (its scheduler), so
            // memory is reclaimed even for entries nobody reads again. Not for eternal caches: an unbounded
            // Caffeine cache without expiry is a plain concurrent map, much faster to read; entries with an
            // expiry time from an earlier configuration are still seen expired (and dropped) when met.
            builder.expireAfter(new StoredExpiry()).scheduler(Scheduler.systemScheduler());
        }
        // Caffeine tells us of size evictions and expirations inside its atomic section for the key, where the
        // store's key lock must not be taken: the work is handed to another thread. The entry then leaves the log too
        // (the store checks under the key's lock that no put brought it back meanwhile), and an expiration is an
        // EXPIRED event. An eviction listener, unlike a removal listener, costs nothing on puts and removes.
        builder.evictionListener((Object k, Stored v, RemovalCause cause) -> {
            if (k != null) {
                pendingEvictions.incrementAndGet();
                Background.run(() -> {
                    try {
                        onEviction(k, v, cause);
                    } finally {
                        if (pendingEvictions.decrementAndGet() == 0) {
                            synchronized (pendingEvictions) {
                                pendingEvictions.notifyAll();
                            }
                        }
                    }
                });
            }
        });
        this.memory = builder.build();
        MapConfig<Object, Stored> mapConfig = MapConfig.of(namespace,
                        (Codec<Object>) keyCodec, new StoredCodec(valueCodec))
                .durability(tiers.put())
                .memory(memory.asMap());
        try {
            this.map = store.map(mapConfig);
        } catch (IllegalStateException e) {
            throw new CacheException("cache '" + name + "' is already open in another cache manager on store "
                    + store.path() + ": " + e.getMessage(), e);
        }
        // entries read back from the log may exceed the bound: evict now, so the cache starts within it
        memory.cleanUp();

        this.listeners = new Listeners<>(name);
        for (CacheEntryListenerConfiguration<K, V> l : configuration.getCacheEntryListenerConfigurations()) {
            listeners.register(l);
        }
        this.configurationName = MBeans.name(MBeans.Kind.CONFIGURATION, manager.getURI(), name);
        this.statisticsName = MBeans.name(MBeans.Kind.STATISTICS, manager.getURI(), name);
        if (configuration.isManagementEnabled()) {
            setManagementEnabled(true);
        }
        if (configuration.isStatisticsEnabled()) {
            setStatisticsEnabled(true);
        }
        if (!settling.isDone()) {
            settler.execute(this::settleAll);
        }
    }

    /**
     * The background pass over the entries read back from the log: settles each (see {@link #settled}). Started when
     * the cache is created; stops at the next entry once the cache is closed. Then logs once how many values it, or
     * reads before it, dropped because they no longer decode.
     */
    private void settleAll() {
        if (!settlingClaimed.compareAndSet(false, true)) {
            return; // closed before it started
        }
        try {
            for (Map.Entry<Object, Stored> e : memory.asMap().entrySet()) {
                if (closed) {
                    break;
                }
                if (!e.getValue().isSettled()) {
                    settled(e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "settling the entries of cache '" + name + "' read back from "
                    + map.store().path() + " stopped; reads settle the others", e);
        } finally {
            settlingOver();
        }
    }

    /**
     * Ends settling, the pass done or never started: logs the values dropped so far, once (a drop counted meanwhile
     * is logged here or by itself, never missed), then lets {@link #awaitSettled} return.
     */
    private void settlingOver() {
        undecodableSummarized = true;
        long dropped = undecodable.get();
        if (dropped > 0) {
            map.logUndecodable(dropped, firstUndecodable.get());
        }
        settling.complete(null);
    }

    /**
     * The one place where a value read back from the log is decoded first; every read of a held entry goes through
     * it. Returns {@code s} itself if it is null or settled. An unsettled entry is decoded now: if it decodes, it is
     * swapped in memory for its settled form (the object if immutable, else the same bytes) unless the entry changed
     * meanwhile (a concurrent put wins), and the settled form is returned. If it does not decode, it is dropped as
     * the store drops such a record at load (gone from memory, nothing written to the log, counted in the store's
     * {@code undecodableRecords}, logged) and null is returned: the caller sees no entry.
     *
     * @param held the key as held
     * @param s    its entry as found in memory, or null
     * @return the entry settled, or null if absent or undecodable
     */
    private Stored settled(Object held, Stored s) {
        if (s == null || s.isSettled()) {
            return s;
        }
        byte[] bytes = ((Stored.Unsettled) s).bytes();
        Object value;
        try {
            value = values.out(bytes);
            if (value == null) {
                throw new IllegalArgumentException("the value codec decoded null");
            }
        } catch (RuntimeException e) {
            if (map.dropUndecodable(held, s)) {
                firstUndecodable.compareAndSet(null, e);
                undecodable.incrementAndGet();
                if (undecodableSummarized) { // the pass that sums them up is over: say it now
                    map.logUndecodable(1, e);
                }
            }
            return null;
        }
        Stored settled = new Stored(Form.isImmutable(value) ? value : bytes, s.expiresAt);
        memory.asMap().replace(held, s, settled);
        return settled;
    }

    /**
     * Waits until the entries read back from the log when this cache was created are settled: each decoded once, in
     * a background pass that starts at creation (immutable values are then held as objects, so reads of them need
     * no decoding; values that no longer decode are dropped and counted in the store's {@code undecodableRecords}).
     * Nothing needs to wait for it: a read that meets an entry not yet settled settles it first. Immediate for a
     * cache that read nothing back; closing the cache stops the pass.
     *
     * @param timeout how long to wait at most
     * @param unit    its unit
     * @return true if the pass is over (every entry settled, or the cache closed), false if the time ran out
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitSettled(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            settling.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // never completed exceptionally
        }
    }

    private void onEviction(Object held, Stored value, RemovalCause cause) {
        if (cause == RemovalCause.SIZE) {
            if (statisticsOn()) {
                stats.eviction();
            }
            evicted(held);
        } else if (cause == RemovalCause.EXPIRED) {
            evicted(held);
            expiredInBackground(held, value);
        }
    }

    private void expiredInBackground(Object held, Stored value) {
        if (closed || value == null || !listeners.any()) {
            return;
        }
        try {
            Stored s = settled(held, value);
            if (s == null) {
                return; // a value that no longer decodes was never visible: no event
            }
            EventBatch<K, V> events = batch();
            events.expired(keys.out(held), values.out(s.payload));
            listeners.dispatch(events);
        } catch (RuntimeException e) {
            System.getLogger(PersistCache.class.getName()).log(System.Logger.Level.WARNING,
                    "EXPIRED listener of cache '" + name + "' failed", e);
        }
    }

    private void evicted(Object key) {
        try {
            map.evicted(key, tiers.remove());
        } catch (RuntimeException e) {
            System.getLogger(PersistCache.class.getName()).log(System.Logger.Level.WARNING,
                    "could not log the eviction of a key of cache '" + name + "'", e);
        }
    }

    // ------------------------------------------------------------------ reads

    @Override
    public V get(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        EventBatch<K, V> events = batch();
        V value = getValue(key, events);
        listeners.dispatch(events);
        return value;
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keySet) {
        requireOpen();
        Objects.requireNonNull(keySet, "keys");
        for (K k : keySet) {
            Objects.requireNonNull(k, "keys contains null");
        }
        EventBatch<K, V> events = batch();
        Map<K, V> result = new HashMap<>(keySet.size() * 2);
        for (K k : keySet) {
            V v = getValue(k, events);
            if (v != null) {
                result.put(k, v);
            }
        }
        listeners.dispatch(events);
        return result;
    }

    private V getValue(K key, EventBatch<K, V> events) {
        long start = startTime();
        Object held = keys.in(key);
        Stored s = settled(held, memory.getIfPresent(held));
        if (s != null && s.isLiveNow()) {
            V value = values.out(s.payload);
            touch(held, s);
            if (statisticsOn()) {
                stats.hits(1);
                stats.getTime(System.nanoTime() - start);
            }
            return value;
        }
        if (s != null) {
            expire(key, held, s, events);
        }
        if (statisticsOn()) {
            stats.misses(1);
        }
        V loaded = null;
        if (integration.readsThrough()) {
            loaded = loadOne(key);
            if (loaded != null) {
                storeLoaded(key, held, loaded, false, events);
            }
        }
        if (statisticsOn()) {
            stats.getTime(System.nanoTime() - start);
        }
        return loaded;
    }

    @Override
    public boolean containsKey(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Object held = keys.in(key);
        Stored s = settled(held, memory.getIfPresent(held));
        return s != null && s.isLiveNow();
    }

    // ------------------------------------------------------------------ loading

    private V loadOne(K key) {
        V v = integration.load(key);
        if (v != null) {
            checkValueType(v);
        }
        return v;
    }

    /** Puts a loaded value: no writer call. With {@code replace} false, a live entry is kept. */
    private boolean storeLoaded(K key, Object held, V value, boolean replace, EventBatch<K, V> events) {
        return storeLoaded(key, held, value, replace, events, tiers.load());
    }

    private boolean storeLoaded(K key, Object held, V value, boolean replace, EventBatch<K, V> events,
                                Durability tier) {
        Object heldValue = values.in(value);
        Outcome<V> o = new Outcome<>();
        map.update(held, u -> {
            long now = now();
            Stored cur = live(held, u.value(), now, o);
            if (cur == null) {
                long at = expiry.onCreation(now);
                if (at <= now) {
                    deleteIfPresent(u);
                } else {
                    u.set(new Stored(heldValue, at));
                    o.stored = true;
                }
            } else if (replace) {
                o.existed = true;
                o.oldHeld = cur;
                u.set(new Stored(heldValue, expiry.onUpdate(now, cur.expiresAt)));
                o.stored = true;
            }
        }, tier);
        raiseExpired(key, o, events);
        if (o.stored) {
            if (o.existed) {
                if (events.enabled()) {
                    events.updated(key, value, values.out(o.oldHeld.payload));
                }
            } else {
                events.created(key, value);
            }
        }
        return o.stored;
    }

    @Override
    public void loadAll(Set<? extends K> keySet, boolean replaceExistingValues, CompletionListener listener) {
        requireOpen();
        Objects.requireNonNull(keySet, "keys");
        for (K k : keySet) {
            Objects.requireNonNull(k, "keys contains null");
        }
        if (integration.loader() == null) {
            if (listener != null) {
                listener.onCompletion();
            }
            return;
        }
        List<K> toLoad = new ArrayList<>(keySet);
        Background.run(() -> {
            try {
                List<K> wanted = new ArrayList<>();
                for (K k : toLoad) {
                    if (replaceExistingValues || !containsKey(k)) {
                        wanted.add(k);
                    }
                }
                Map<K, V> loaded = integration.loadAll(wanted);
                EventBatch<K, V> events = batch();
                long puts = 0;
                if (loaded != null) {
                    try {
                        for (Map.Entry<K, V> e : loaded.entrySet()) {
                            if (e.getKey() != null && e.getValue() != null
                                    && storeLoaded(e.getKey(), keys.in(e.getKey()), e.getValue(),
                                    replaceExistingValues, events, perKey(tiers.load()))) {
                                puts++;
                            }
                        }
                    } finally {
                        flush(tiers.load());
                    }
                }
                listeners.dispatch(events);
                if (statisticsOn()) {
                    stats.puts(puts);
                }
                if (listener != null) {
                    listener.onCompletion();
                }
            } catch (Exception e) {
                if (listener != null) {
                    listener.onException(e);
                }
            }
        });
    }

    // ------------------------------------------------------------------ puts

    @Override
    public void put(K key, V value) {
        requireOpen();
        checkEntry(key, value);
        long start = startTime();
        EventBatch<K, V> events = batch();
        Outcome<V> o = putOne(key, value, true, true, events);
        listeners.dispatch(events);
        if (o.stored && statisticsOn()) {
            stats.puts(1);
            stats.putTime(System.nanoTime() - start);
        }
    }

    /**
     * {@link #put(Object, Object)} at a tier chosen for this call (the native API beyond JCache), e.g. FSYNC for
     * one entry that must survive a machine crash in a cache that otherwise writes ASYNC. A memory-only
     * (store-by-reference) cache ignores the tier.
     *
     * @param tier how durable the put is when this returns
     */
    public void put(K key, V value, Durability tier) {
        requireOpen();
        checkEntry(key, value);
        Objects.requireNonNull(tier, "tier");
        long start = startTime();
        EventBatch<K, V> events = batch();
        Outcome<V> o = putOne(key, value, true, true, events, persistent ? tier : Durability.MEMORY);
        listeners.dispatch(events);
        if (o.stored && statisticsOn()) {
            stats.puts(1);
            stats.putTime(System.nanoTime() - start);
        }
    }

    /**
     * {@link #remove(Object)} at a tier chosen for this call (the native API beyond JCache).
     *
     * @param tier how durable the removal is when this returns
     * @return whether a live entry was removed
     */
    public boolean remove(K key, Durability tier) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tier, "tier");
        long start = startTime();
        EventBatch<K, V> events = batch();
        Outcome<V> o = removeOne(key, true, events, persistent ? tier : Durability.MEMORY);
        listeners.dispatch(events);
        if (o.stored && statisticsOn()) {
            stats.removals(1);
            stats.removeTime(System.nanoTime() - start);
        }
        return o.stored;
    }

    /** @return the tier of each kind of operation of this cache (all MEMORY for a memory-only cache) */
    public OperationTiers tiers() {
        return tiers;
    }

    @Override
    public V getAndPut(K key, V value) {
        requireOpen();
        checkEntry(key, value);
        long start = startTime();
        EventBatch<K, V> events = batch();
        Outcome<V> o = putOne(key, value, true, true, events);
        listeners.dispatch(events);
        V old = o.existed ? values.out(o.oldHeld.payload) : null;
        countPut(o.existed, o.stored, start);
        return old;
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        requireOpen();
        Objects.requireNonNull(entries, "map");
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            checkEntry(e.getKey(), e.getValue());
        }
        long start = startTime();
        Map<K, V> toPut = new LinkedHashMap<>(entries);
        // every key and value in its held form first: one the codec cannot write (not serializable, outside the
        // serialization allowlist) fails the whole call before the writer or the cache sees any entry
        Map<K, HeldEntry> heldForms = new HashMap<>();
        toPut.forEach((k, v) -> heldForms.put(k, new HeldEntry(keys.in(k), values.in(v))));
        CacheWriterException failure = null;
        if (integration.writesThrough()) {
            List<Cache.Entry<? extends K, ? extends V>> batch = new ArrayList<>(toPut.size());
            toPut.forEach((k, v) -> batch.add(new SimpleEntry<>(k, v)));
            failure = integration.writeAll(batch);
            if (failure != null) {
                // what the writer left in the batch was not written: it must not enter the cache either
                for (Cache.Entry<? extends K, ? extends V> left : batch) {
                    toPut.remove(left.getKey());
                }
            }
        }
        EventBatch<K, V> events = batch();
        long puts = 0;
        try {
            for (Map.Entry<K, V> e : toPut.entrySet()) {
                HeldEntry held = heldForms.get(e.getKey());
                if (putHeld(e.getKey(), e.getValue(), held.key(), held.value(), false, true, events,
                        perKey(tiers.put())).stored) {
                    puts++;
                }
            }
        } finally {
            flush(tiers.put());
        }
        listeners.dispatch(events);
        if (statisticsOn() && puts > 0) {
            stats.puts(puts);
            stats.putTime(System.nanoTime() - start);
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        requireOpen();
        checkEntry(key, value);
        long start = startTime();
        EventBatch<K, V> events = batch();
        Outcome<V> o = putOne(key, value, true, false, events);
        listeners.dispatch(events);
        countPut(o.existed, o.stored, start);
        return o.stored;
    }

    /**
     * Statistics of a single-key operation that reads before it puts: a hit or a miss, and a put (with its time) if
     * it stored a value.
     */
    private void countPut(boolean hit, boolean stored, long start) {
        if (statisticsOn()) {
            stats.hitOrMiss(hit);
            if (stored) {
                stats.puts(1);
                stats.putTime(System.nanoTime() - start);
            }
        }
    }

    /** Statistics of a single-key operation that reads before it removes: a hit or a miss, and a removal if any. */
    private void countRemoval(boolean hit, boolean removed, long start) {
        if (statisticsOn()) {
            stats.hitOrMiss(hit);
            if (removed) {
                stats.removals(1);
                stats.removeTime(System.nanoTime() - start);
            }
        }
    }

    /**
     * Puts one entry atomically.
     *
     * @param writeThrough whether to call the writer
     * @param replace      whether a live entry is replaced (false: putIfAbsent)
     */
    private Outcome<V> putOne(K key, V value, boolean writeThrough, boolean replace, EventBatch<K, V> events) {
        return putOne(key, value, writeThrough, replace, events, tiers.put());
    }

    private Outcome<V> putOne(K key, V value, boolean writeThrough, boolean replace, EventBatch<K, V> events,
                              Durability tier) {
        return putHeld(key, value, keys.in(key), values.in(value), writeThrough, replace, events, tier);
    }

    /** A key and its value in the forms the cache holds them (see {@link Form}). */
    private record HeldEntry(Object key, Object value) {
    }

    /** {@link #putOne} with the key and value already in their held forms. */
    private Outcome<V> putHeld(K key, V value, Object held, Object heldValue, boolean writeThrough, boolean replace,
                               EventBatch<K, V> events, Durability tier) {
        Outcome<V> o = new Outcome<>();
        map.update(held, u -> {
            long now = now();
            Stored cur = live(held, u.value(), now, o);
            if (cur == null) {
                if (writeThrough) {
                    integration.write(key, value);
                }
                long at = expiry.onCreation(now);
                if (at <= now) {
                    deleteIfPresent(u);
                } else {
                    u.set(new Stored(heldValue, at));
                    o.stored = true;
                }
            } else {
                o.existed = true;
                o.oldHeld = cur;
                if (replace) {
                    if (writeThrough) {
                        integration.write(key, value);
                    }
                    u.set(new Stored(heldValue, expiry.onUpdate(now, cur.expiresAt)));
                    o.stored = true;
                }
            }
        }, tier);
        raiseExpired(key, o, events);
        if (o.stored) {
            if (o.existed) {
                if (events.enabled()) {
                    events.updated(key, value, values.out(o.oldHeld.payload));
                }
            } else {
                events.created(key, value);
            }
        }
        return o;
    }

    // ------------------------------------------------------------------ replace

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        requireOpen();
        checkEntry(key, newValue);
        Objects.requireNonNull(oldValue, "oldValue");
        long start = startTime();
        Object held = keys.in(key);
        Object heldValue = values.in(newValue);
        EventBatch<K, V> events = batch();
        Outcome<V> o = new Outcome<>();
        map.update(held, u -> {
            long now = now();
            Stored cur = live(held, u.value(), now, o);
            if (cur == null) {
                return;
            }
            o.existed = true;
            o.oldHeld = cur;
            if (values.out(cur.payload).equals(oldValue)) {
                integration.write(key, newValue);
                u.set(new Stored(heldValue, expiry.onUpdate(now, cur.expiresAt)));
                o.stored = true;
            }
        }, tiers.put());
        raiseExpired(key, o, events);
        if (o.stored) {
            events.updated(key, newValue, oldValue);
        } else if (o.existed) {
            touch(held, o.oldHeld);
        }
        listeners.dispatch(events);
        countPut(o.existed, o.stored, start);
        return o.stored;
    }

    @Override
    public boolean replace(K key, V value) {
        requireOpen();
        checkEntry(key, value);
        return replaceExisting(key, value) != null;
    }

    @Override
    public V getAndReplace(K key, V value) {
        requireOpen();
        checkEntry(key, value);
        Stored old = replaceExisting(key, value);
        return old == null ? null : values.out(old.payload);
    }

    /** @return the replaced entry, or null if there was no live entry */
    private Stored replaceExisting(K key, V value) {
        long start = startTime();
        Object held = keys.in(key);
        Object heldValue = values.in(value);
        EventBatch<K, V> events = batch();
        Outcome<V> o = new Outcome<>();
        map.update(held, u -> {
            long now = now();
            Stored cur = live(held, u.value(), now, o);
            if (cur == null) {
                return;
            }
            integration.write(key, value);
            o.existed = true;
            o.oldHeld = cur;
            u.set(new Stored(heldValue, expiry.onUpdate(now, cur.expiresAt)));
            o.stored = true;
        }, tiers.put());
        raiseExpired(key, o, events);
        if (o.stored && events.enabled()) {
            events.updated(key, value, values.out(o.oldHeld.payload));
        }
        listeners.dispatch(events);
        countPut(o.existed, o.stored, start);
        return o.stored ? o.oldHeld : null;
    }

    // ------------------------------------------------------------------ removal

    @Override
    public boolean remove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        long start = startTime();
        EventBatch<K, V> events = batch();
        Outcome<V> o = removeOne(key, true, events);
        listeners.dispatch(events);
        if (o.stored && statisticsOn()) {
            stats.removals(1);
            stats.removeTime(System.nanoTime() - start);
        }
        return o.stored;
    }

    @Override
    public V getAndRemove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        long start = startTime();
        EventBatch<K, V> events = batch();
        Outcome<V> o = removeOne(key, true, events);
        listeners.dispatch(events);
        countRemoval(o.stored, o.stored, start);
        return o.stored ? values.out(o.oldHeld.payload) : null;
    }

    /** Removes a key; {@code o.stored} tells whether a live entry was removed. The writer is told in any case. */
    private Outcome<V> removeOne(K key, boolean writeThrough, EventBatch<K, V> events) {
        return removeOne(key, writeThrough, events, tiers.remove());
    }

    private Outcome<V> removeOne(K key, boolean writeThrough, EventBatch<K, V> events, Durability tier) {
        Object held = keys.in(key);
        Outcome<V> o = new Outcome<>();
        map.update(held, u -> {
            if (writeThrough) {
                integration.delete(key);
            }
            Stored cur = live(held, u.value(), now(), o);
            if (cur != null) {
                o.oldHeld = cur;
                o.stored = true;
                u.delete();
            }
        }, tier);
        raiseExpired(key, o, events);
        if (o.stored && events.enabled()) {
            events.removed(key, values.out(o.oldHeld.payload));
        }
        return o;
    }

    @Override
    public boolean remove(K key, V oldValue) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        long start = startTime();
        Object held = keys.in(key);
        EventBatch<K, V> events = batch();
        Outcome<V> o = new Outcome<>();
        map.update(held, u -> {
            Stored cur = live(held, u.value(), now(), o);
            if (cur == null) {
                return;
            }
            o.existed = true;
            o.oldHeld = cur;
            if (values.out(cur.payload).equals(oldValue)) {
                integration.delete(key);
                u.delete();
                o.stored = true;
            }
        }, tiers.remove());
        raiseExpired(key, o, events);
        if (o.stored) {
            events.removed(key, oldValue);
        } else if (o.existed) {
            touch(held, o.oldHeld);
        }
        listeners.dispatch(events);
        countRemoval(o.existed, o.stored, start);
        return o.stored;
    }

    @Override
    public void removeAll(Set<? extends K> keySet) {
        requireOpen();
        Objects.requireNonNull(keySet, "keys");
        for (K k : keySet) {
            Objects.requireNonNull(k, "keys contains null");
        }
        removeKeys(new LinkedHashSet<>(keySet));
    }

    @Override
    public void removeAll() {
        requireOpen();
        Set<K> all = new LinkedHashSet<>();
        for (Object held : memory.asMap().keySet()) {
            all.add(keys.out(held));
        }
        removeKeys(all);
    }

    private void removeKeys(Set<K> toRemove) {
        long start = startTime();
        CacheWriterException failure = null;
        if (integration.writesThrough()) {
            Collection<K> batch = new ArrayList<>(toRemove);
            failure = integration.deleteAll(batch);
            if (failure != null) {
                // keys the writer left in the batch were not deleted from the backend: keep them cached
                toRemove.removeAll(new ArrayList<>(batch));
            }
        }
        EventBatch<K, V> events = batch();
        long removed = 0;
        try {
            for (K k : toRemove) {
                if (removeOne(k, false, events, perKey(tiers.remove())).stored) {
                    removed++;
                }
            }
        } finally {
            flush(tiers.remove());
        }
        listeners.dispatch(events);
        if (statisticsOn() && removed > 0) {
            stats.removals(removed);
            stats.removeTime(System.nanoTime() - start);
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void clear() {
        requireOpen();
        clearAt(tiers.remove());
    }

    private void clearAt(Durability tier) {
        try {
            map.clear(perKey(tier));
        } finally {
            flush(tier);
        }
    }

    /**
     * The tier of each key of a bulk operation (putAll, removeAll, clear, loadAll) at {@code tier}: WRITE and FSYNC
     * become ASYNC, and {@link #flush} then makes them all durable at once before the operation returns, so a bulk
     * operation of n keys costs a few writes and one fsync instead of n of each.
     */
    private static Durability perKey(Durability tier) {
        return tier == Durability.WRITE || tier == Durability.FSYNC ? Durability.ASYNC : tier;
    }

    /** Makes the ASYNC records of a bulk operation at {@code tier} as durable as {@code tier} says. */
    private void flush(Durability tier) {
        if (tier == Durability.WRITE) {
            map.sync();
        } else if (tier == Durability.FSYNC) {
            map.sync();
            map.store().fsyncAll();
        }
    }

    // ------------------------------------------------------------------ entry processors

    @Override
    public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(processor, "entryProcessor");
        long start = startTime();
        Object held = keys.in(key);
        EventBatch<K, V> events = batch();
        Outcome<V> o = new Outcome<>();
        var state = new Object() {
            ProcessorEntry<K, V> entry;
            T result;
        };
        map.update(held, u -> {
            long now = now();
            Stored cur = live(held, u.value(), now, o);
            V current = cur == null ? null : values.out(cur.payload);
            ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, current,
                    integration.readsThrough() ? integration.loader() : null, this::loadOne);
            try {
                state.result = processor.process(entry, arguments);
            } catch (EntryProcessorException e) {
                throw e;
            } catch (Exception e) {
                throw new EntryProcessorException(e);
            }
            state.entry = entry;
            o.existed = cur != null;
            o.oldHeld = cur;
            switch (entry.op()) {
                case NONE, ACCESS -> {
                    if (cur == null && o.expired != null) {
                        u.delete();
                    }
                }
                case CREATE, LOAD -> {
                    V v = entry.value();
                    checkValueType(v);
                    Object heldValue = values.in(v); // before the writer: a value we cannot hold is not written
                    if (entry.op() == ProcessorEntry.Op.CREATE) {
                        integration.write(key, v);
                    }
                    long at = expiry.onCreation(now);
                    if (at <= now) {
                        deleteIfPresent(u);
                    } else {
                        u.set(new Stored(heldValue, at));
                        o.stored = true;
                    }
                }
                case UPDATE -> {
                    V v = entry.value();
                    checkValueType(v);
                    Object heldValue = values.in(v);
                    integration.write(key, v);
                    u.set(new Stored(heldValue, expiry.onUpdate(now, cur.expiresAt)));
                    o.stored = true;
                }
                case REMOVE -> {
                    integration.delete(key);
                    if (cur != null) {
                        u.delete();
                        o.removed = true;
                    } else if (o.expired != null) {
                        u.delete();
                    }
                }
            }
        }, tiers.invoke());
        ProcessorEntry<K, V> entry = state.entry;
        raiseExpired(key, o, events);
        if (statisticsOn()) {
            stats.hitOrMiss(o.existed);
            stats.getTime(System.nanoTime() - start);
        }
        switch (entry.op()) {
            case ACCESS -> touch(held, o.oldHeld);
            case CREATE, LOAD, UPDATE -> {
                if (o.stored) {
                    if (entry.op() == ProcessorEntry.Op.UPDATE) {
                        if (events.enabled()) {
                            events.updated(key, entry.value(), values.out(o.oldHeld.payload));
                        }
                    } else {
                        events.created(key, entry.value());
                    }
                    if (statisticsOn()) {
                        stats.puts(1);
                        stats.putTime(System.nanoTime() - start);
                    }
                }
            }
            case REMOVE -> {
                if (!o.removed) {
                    break;
                }
                if (events.enabled()) {
                    events.removed(key, values.out(o.oldHeld.payload));
                }
                if (statisticsOn()) {
                    stats.removals(1);
                    stats.removeTime(System.nanoTime() - start);
                }
            }
            default -> {
            }
        }
        listeners.dispatch(events);
        return state.result;
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keySet, EntryProcessor<K, V, T> processor,
                                                         Object... arguments) {
        requireOpen();
        Objects.requireNonNull(keySet, "keys");
        Objects.requireNonNull(processor, "entryProcessor");
        for (K k : keySet) {
            Objects.requireNonNull(k, "keys contains null");
        }
        Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (K k : keySet) {
            try {
                T r = invoke(k, processor, arguments);
                if (r != null) {
                    results.put(k, () -> r);
                }
            } catch (Exception e) {
                EntryProcessorException epe = e instanceof EntryProcessorException x ? x
                        : new EntryProcessorException(e);
                results.put(k, () -> {
                    throw epe;
                });
            }
        }
        return results;
    }

    // ------------------------------------------------------------------ iteration

    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        requireOpen();
        Iterator<Map.Entry<Object, Stored>> it = memory.asMap().entrySet().iterator();
        return new Iterator<>() {
            private Cache.Entry<K, V> next;
            private Cache.Entry<K, V> last;

            @Override
            public boolean hasNext() {
                long now = now();
                while (next == null && it.hasNext()) {
                    Map.Entry<Object, Stored> e = it.next();
                    Stored s = settled(e.getKey(), e.getValue());
                    if (s != null && !s.expiredAt(now)) {
                        long start = startTime();
                        next = new SimpleEntry<>(keys.out(e.getKey()), values.out(s.payload));
                        touch(e.getKey(), s);
                        if (statisticsOn()) {
                            stats.hits(1);
                            stats.getTime(System.nanoTime() - start);
                        }
                    }
                }
                return next != null;
            }

            @Override
            public Cache.Entry<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                last = next;
                next = null;
                return last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException("next() has not returned an entry to remove");
                }
                requireOpen();
                K key = last.getKey();
                last = null;
                PersistCache.this.remove(key);
            }
        };
    }

    // ------------------------------------------------------------------ helpers under the key lock

    /** A mutable record of what happened inside an atomic section. */
    private static final class Outcome<V> {
        boolean existed;
        boolean stored;
        boolean removed;
        Stored oldHeld;
        Stored expired;
    }

    /**
     * @return the entry {@code s} of {@code held}, found in an atomic section, settled if live; null if absent, no
     *         longer decodable (then dropped, see {@link #settled}), or expired (then remembered in {@code o.expired})
     */
    private Stored live(Object held, Stored s, long now, Outcome<?> o) {
        s = settled(held, s);
        if (s != null && s.expiredAt(now)) {
            o.expired = s;
            return null;
        }
        return s;
    }

    private static void deleteIfPresent(dev.persist.store.Update<Stored> u) {
        if (u.exists()) {
            u.delete();
        }
    }

    private void raiseExpired(K key, Outcome<V> o, EventBatch<K, V> events) {
        if (o.expired != null && events.enabled()) {
            events.expired(key, values.out(o.expired.payload));
        }
    }

    /** Drops an entry found expired, if it is still the one found. */
    private void expire(K key, Object held, Stored found, EventBatch<K, V> events) {
        boolean[] dropped = new boolean[1];
        map.update(held, u -> {
            if (u.value() == found) {
                u.delete();
                dropped[0] = true;
            }
        }, tiers.remove());
        if (dropped[0] && events.enabled()) {
            events.expired(key, values.out(found.payload));
        }
    }

    /**
     * Applies the access expiry after a read. Only memory changes: writing a record per read would make reads cost
     * writes, and an older expiry time in the log can only make an entry expire sooner after a restart, never later.
     */
    private void touch(Object held, Stored found) {
        long at = expiry.onAccess();
        if (at == ExpiryTimes.UNCHANGED) {
            return;
        }
        map.update(held, u -> {
            if (u.value() == found) {
                u.set(found.withExpiry(at));
            }
        }, Durability.MEMORY);
    }

    private EventBatch<K, V> batch() {
        // without listeners a batch records nothing, so one shared instance serves every operation
        return listeners.any() ? new EventBatch<>(this, true) : noEvents;
    }

    private boolean statisticsOn() {
        return configuration.isStatisticsEnabled();
    }

    /** @return the time an operation starts, if statistics are on (reading the clock is not free) */
    private long startTime() {
        return statisticsOn() ? System.nanoTime() : 0;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private void checkEntry(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (keyType != Object.class && !keyType.isInstance(key)) {
            throw new ClassCastException("key " + key.getClass().getName() + " is not a " + keyType.getName());
        }
        checkValueType(value);
    }

    private void checkValueType(V value) {
        if (valueType != Object.class && !valueType.isInstance(value)) {
            throw new ClassCastException("value " + value.getClass().getName() + " is not a " + valueType.getName());
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache '" + name + "' is closed");
        }
    }

    // ------------------------------------------------------------------ lifecycle and management

    @Override
    public String getName() {
        return name;
    }

    @Override
    public CacheManager getCacheManager() {
        return manager;
    }

    @Override
    public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
        if (clazz.isInstance(configuration)) {
            return clazz.cast(configuration);
        }
        throw new IllegalArgumentException("the configuration of '" + name + "' is not a " + clazz.getName());
    }

    @Override
    public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
        listeners.register(listenerConfiguration);
        configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
    }

    @Override
    public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
        if (listeners.deregister(listenerConfiguration)) {
            configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
        }
    }

    /** Registers or unregisters the statistics MXBean. */
    void setStatisticsEnabled(boolean enabled) {
        configuration.setStatisticsEnabled(enabled);
        if (enabled) {
            MBeans.register(stats, statisticsName);
        } else {
            MBeans.unregister(statisticsName);
        }
    }

    /** Registers or unregisters the configuration MXBean. */
    void setManagementEnabled(boolean enabled) {
        configuration.setManagementEnabled(enabled);
        if (enabled) {
            MBeans.register(new CacheConfigurationBean(() -> configuration), configurationName);
        } else {
            MBeans.unregister(configurationName);
        }
    }

    /** @return the configured key type */
    Class<?> keyType() {
        return keyType;
    }

    /** @return the configured value type */
    Class<?> valueType() {
        return valueType;
    }

    /** @return the statistics of this cache (also its MXBean) */
    public CacheStats statistics() {
        return stats;
    }

    @Override
    public void close() {
        closeInternal(false);
        manager.forget(this);
    }

    /**
     * Closes the cache: MBeans go, listeners, loader, writer and expiry policy are closed, the namespace is
     * unregistered. With {@code destroy}, its entries are deleted from the log first.
     */
    void closeInternal(boolean destroy) {
        if (closeAllButNamespace(destroy)) {
            detachNamespace();
        }
    }

    /**
     * The first part of {@link #closeInternal}: everything but unregistering the namespace, which the manager then
     * does with {@link #detachNamespace()}, or skips when it closes the store itself (see {@link SharedStores}).
     *
     * @return false if the cache was already closed
     */
    boolean closeAllButNamespace(boolean destroy) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        MBeans.unregister(statisticsName);
        MBeans.unregister(configurationName);
        listeners.close();
        integration.close();
        closeQuietly(expiry.policy());
        awaitSettlingStopped();
        awaitEvictions();
        if (destroy || !persistent) {
            // destroyed entries must not come back after a restart, whatever tier the cache writes at
            clearAt(persistent ? Durability.WRITE : Durability.MEMORY);
        }
        return true;
    }

    /**
     * Unregisters the closed cache's namespace from a store that stays open: its entries become orphan records of the
     * store, to be adopted by the next cache of that name (one encode per entry held as an object). Idempotent.
     */
    void detachNamespace() {
        map.close();
        releaseMemory();
    }

    /** Drops the closed cache's entries from memory (Caffeine), for the garbage collector. */
    void releaseMemory() {
        memory.invalidateAll();
    }

    /** Waits (a bounded time) until the settling pass, which stops at the next entry once closed, has stopped. */
    private void awaitSettlingStopped() {
        if (settlingClaimed.compareAndSet(false, true)) {
            settlingOver(); // it had not started: it never will
            return;
        }
        try {
            if (!awaitSettled(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING,
                        "settling the entries of cache '" + name + "' still running at close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets Caffeine finish pending evictions and waits (a bounded time) until their log deletes are written. */
    private void awaitEvictions() {
        memory.cleanUp();
        long deadline = System.currentTimeMillis() + 10_000;
        synchronized (pendingEvictions) {
            while (pendingEvictions.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    System.getLogger(PersistCache.class.getName()).log(System.Logger.Level.WARNING,
                            "evictions of cache '" + name + "' still pending at close; evicted entries may return");
                    return;
                }
                try {
                    pendingEvictions.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                System.getLogger(PersistCache.class.getName()).log(System.Logger.Level.WARNING,
                        "closing " + o + " failed", e);
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        if (clazz == PersistMap.class) {
            return clazz.cast(map);
        }
        if (clazz == Store.class) {
            return clazz.cast(map.store());
        }
        throw new IllegalArgumentException("cannot unwrap cache '" + name + "' to " + clazz.getName());
    }

    /**
     * @return the store namespace of this cache: keys as held (copies of the application's keys), values as
     *         {@link Stored} envelopes
     */
    public PersistMap<Object, Stored> persistMap() {
        return map;
    }

    /** @return whether this cache's entries reach the log (false for store-by-reference caches) */
    public boolean isPersistent() {
        return persistent;
    }

    @Override
    public String toString() {
        return "PersistCache[" + name + "]";
    }
}
