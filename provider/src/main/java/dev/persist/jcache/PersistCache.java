package dev.persist.jcache;

import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.OperationTiers;
import dev.persist.jcache.event.EventBatch;
import dev.persist.jcache.event.Listeners;
import dev.persist.jcache.integration.BehindWriter;
import dev.persist.jcache.integration.Loader;
import dev.persist.jcache.integration.Writer;
import dev.persist.jcache.management.CacheStats;
import dev.persist.jcache.management.MBeans;
import dev.persist.jcache.management.WriteBehindMXBean;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A JSR-107 cache whose entries live in a Caffeine cache (the only in-memory copy) and in a namespace of the
 * manager's write-ahead-log store, written at the tier configured for each kind of operation.
 *
 * <p>This class is the JCache front only. Each operation states what it does to a key as a rule that
 * {@link Mutations} runs in the store's atomic section for the key (with the writer call), gets back a
 * {@link Change}, and hands it to {@link Completion}, which fires the events and counts the statistics. Expiry is
 * lazy: an entry past its time is treated as absent, and dropped (with an EXPIRED event) by the next operation that
 * meets it, or by Caffeine.
 *
 * <p>Store-by-value caches hold values encoded (every read decodes a copy); store-by-reference caches hold the
 * application's objects and are memory-only. Entries read back from the log at restart are settled (decoded) by the
 * store in the background or on first read; one that no longer decodes is dropped there and is never seen.
 *
 * <p>A cache with {@code writeBehind} records, in the same atomic section and log write as each change, that the key
 * owes its writer the new state; a background deliverer calls the writer later ({@link #writeBehind()},
 * {@link #flushWriteBehind}; see docs/write-behind.md).
 *
 * <p>Beyond JCache, {@link #unwrap} gives the {@link PersistMap} and {@link Store} of the cache, and
 * {@link #put(Object, Object, Durability)} and {@link #remove(Object, Durability)} take a tier per call.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class PersistCache<K, V> implements Cache<K, V> {
    private final PersistCacheManager manager;
    private final String name;
    private final boolean persistent;
    private final Clock clock;
    private final Listeners<K, V> listeners;
    private final CacheStats stats = new CacheStats();
    private final MutableConfiguration<K, V> configuration;
    private final Class<K> keyType;
    private final Class<V> valueType;
    private final EntryChecks<K, V> checks;
    private final Loader<K, V> loader;
    private final Writer<K, V> writer;
    private final Form<K> keys;
    private final Form<V> values;
    private final OperationTiers tiers;
    private final CaffeineMemory memory;
    /** Whether the store holds every entry and memory is a bounded front ({@code disk}). */
    private final boolean disk;
    private final PersistMap<Object, Stored> map;
    private final Mutations<K, V> mutations;
    private final BulkOperations<K, V> bulk;
    private final EntryProcessing<K, V> processing;
    private final Completion<K, V> completion;
    private final CacheResources resources;
    private final UnencodableValues<V> unencodable;
    /** Its part in the cluster (publishing and applying through Kafka), or null if it is not clustered. */
    private final CacheClustering<K, V> clustering;
    /** The write-behind deliverer, or null if the cache has none. */
    private final BehindWriter<K, V> behind;
    private volatile boolean closed;

    PersistCache(PersistCacheManager manager, String name, CompleteConfiguration<K, V> config,
                 CacheSettings settings, Store store, boolean persistent, Clock clock) {
        this.manager = manager;
        this.name = name;
        this.persistent = persistent;
        this.clock = clock;
        this.listeners = new Listeners<>(name);
        EvictionEvents<K, V> evictions = new EvictionEvents<>(name, stats, listeners);
        CacheAssembly<K, V> parts = new CacheAssembly<>(name, config, settings, store, persistent,
                manager.getClassLoader(), clock, evictions);
        this.configuration = parts.configuration;
        this.keyType = configuration.getKeyType();
        this.valueType = configuration.getValueType();
        this.checks = new EntryChecks<>(keyType, valueType);
        this.loader = parts.loader;
        this.clustering = CacheClustering.of(manager.cluster(), manager.settings().cluster(), name, settings, parts,
                clock);
        this.writer = clustering == null ? parts.writer : clustering.writer();
        this.behind = parts.behind;
        this.keys = parts.keys;
        this.values = parts.values;
        this.tiers = parts.tiers;
        this.memory = parts.memory;
        this.disk = parts.disk;
        this.map = parts.map;
        this.unencodable = parts.unencodable;
        this.mutations = new Mutations<>(name, map, writer, parts.expiry, clock);
        this.completion = new Completion<>(this, values, listeners, stats);
        evictions.bind(new EvictionEvents.Target<>(map, keys, values, completion, this::isClosed));
        this.bulk = new BulkOperations<>(parts, mutations, completion, stats);
        this.processing = new EntryProcessing<>(values, loader, this::loadOne, checks::valueType, unencodable);
        for (CacheEntryListenerConfiguration<K, V> l : configuration.getCacheEntryListenerConfigurations()) {
            listeners.register(l);
        }
        this.resources = new CacheResources(manager.getURI(), name, configuration, stats, listeners,
                Arrays.asList(parts.loader, parts.writer, parts.idleWriter, parts.expiry.policy()),
                behind == null ? null : behind.stats());
        setManagementEnabled(configuration.isManagementEnabled());
        // statistics: true in the configuration file turns them on whatever the JCache configuration says (Spring
        // and Hibernate create caches with theirs off), so that Micrometer's JCache metrics have figures to read
        setStatisticsEnabled(configuration.isStatisticsEnabled() || settings.statistics());
        if (behind != null) {
            behind.start();
        }
        if (clustering != null) {
            try {
                clustering.start(completion); // returns once caught up with the topic: no stale reads after downtime
            } catch (RuntimeException e) {
                closeAlone(false);
                throw e;
            }
        }
    }

    /**
     * Waits until the entries read back from the log when this cache was created are settled (see
     * {@link PersistMap#awaitSettled}). Nothing needs to wait for it: a read settles what it meets.
     *
     * @param timeout how long to wait at most
     * @param unit    its unit
     * @return true if the pass is over (every entry settled, or the cache closed), false if the time ran out
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitSettled(long timeout, TimeUnit unit) throws InterruptedException {
        return map.awaitSettled(timeout, unit);
    }

    // ------------------------------------------------------------------ reads

    @Override
    public V get(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        EventBatch<K, V> events = completion.batch();
        V value = getValue(key, events);
        completion.dispatch(events);
        return value;
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keySet) {
        requireOpen();
        EntryChecks.keys(keySet);
        EventBatch<K, V> events = completion.batch();
        Map<K, V> result = new HashMap<>(keySet.size() * 2);
        for (K k : keySet) {
            V v = getValue(k, events);
            if (v != null) {
                result.put(k, v);
            }
        }
        completion.dispatch(events);
        return result;
    }

    /*
     * The hit of an entry held in memory stays a short method of its own: the JIT inlines a get into its caller only
     * while the compiled get is small, and the paths of an entry read back from disk and of a miss would make it
     * large (measured: benchmarks/README.md, "Latest: one quick-mode run of every group").
     */
    private V getValue(K key, EventBatch<K, V> events) {
        long start = stats.startTime();
        Object held = keys.in(key);
        Stored found = held(held);
        if (found instanceof Stored.Unsettled u) {
            return getUnsettled(key, held, u, events, start);
        }
        Stored s = map.settled(held, found);
        if (s != null && s.isLive(clock)) {
            return hit(held, s, values.out(s.payload), start);
        }
        return missed(key, held, s, events, start);
    }

    /** {@link #getValue} of an entry read back from disk, or adopted at restart, whose value is not decoded yet. */
    private V getUnsettled(K key, Object held, Stored.Unsettled found, EventBatch<K, V> events, long start) {
        LiveRead<V> read = found.isLive(clock) ? settleOnRead(held, found) : null;
        Stored s = read != null ? read.entry() : map.settled(held, found);
        if (s != null && s.isLive(clock)) {
            return hit(held, s, read != null ? read.value() : values.out(s.payload), start);
        }
        return missed(key, held, s, events, start);
    }

    private V hit(Object held, Stored s, V value, long start) {
        mutations.touch(held, s);
        stats.hits(1);
        stats.getTimeSince(start);
        return value;
    }

    /** {@link #getValue} when no live entry was found: {@code s} is an expired one, or null. */
    private V missed(K key, Object held, Stored s, EventBatch<K, V> events, long start) {
        if (s != null && mutations.expire(held, s, tiers.remove()) && events.enabled()) {
            events.expired(key, values.out(s.payload));
        }
        stats.misses(1);
        V loaded = null;
        if (loader.readsThrough()) {
            loaded = loadOne(key);
            if (loaded != null) {
                bulk.storeLoaded(key, loaded, false, events, tiers.load());
            }
        }
        stats.getTimeSince(start);
        return loaded;
    }

    /** An entry a read found live, settled, and the value to hand out. */
    private record LiveRead<V>(Stored entry, V value) {
    }

    /**
     * Settles an entry read back from the log (a front miss of a {@code disk} cache, or an entry adopted at restart)
     * with the one decode the read needs anyway: the value decoded for the caller shows that it decodes, so the entry
     * is swapped for its settled form without decoding it a second time ({@link PersistMap#settled} would).
     *
     * @return the settled entry and the value, or null if it does not decode: the caller then settles it the usual
     *         way, which drops it
     */
    private LiveRead<V> settleOnRead(Object held, Stored.Unsettled found) {
        V value;
        try {
            value = values.out(found.bytes());
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
        if (value == null) {
            return null;
        }
        Stored settled = found.settledWith(value);
        map.settledAs(held, found, settled);
        return new LiveRead<>(settled, value);
    }

    @Override
    public boolean containsKey(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Object held = keys.in(key);
        Stored s = map.settled(held, held(held));
        return s != null && s.isLive(clock);
    }

    /**
     * @param held a key as held
     * @return its entry as held, not yet settled: from memory, or for a cache with {@code disk} read back from the
     *         store on a miss (and kept in memory if read back recently before); null if absent
     */
    private Stored held(Object held) {
        return disk ? mutations.guarded(() -> map.get(held)) : memory.getIfPresent(held);
    }

    // ------------------------------------------------------------------ loading

    private V loadOne(K key) {
        V v = loader.load(key);
        if (v != null) {
            checks.valueType(v);
        }
        return v;
    }

    @Override
    public void loadAll(Set<? extends K> keySet, boolean replaceExistingValues, CompletionListener listener) {
        requireOpen();
        EntryChecks.keys(keySet);
        if (loader.loader() == null) {
            if (listener != null) {
                listener.onCompletion();
            }
            return;
        }
        bulk.loadAll(new ArrayList<>(keySet), replaceExistingValues, this::containsKey, listener);
    }

    // ------------------------------------------------------------------ puts and replaces

    @Override
    public void put(K key, V value) {
        requireOpen();
        checks.entry(key, value);
        putOne(key, value, true, tiers.put(), Completion.Counted.PUT);
    }

    /**
     * {@link #put(Object, Object)} at a tier chosen for this call (the native API beyond JCache), e.g. FSYNC for
     * one entry that must survive a machine crash in a cache that otherwise writes ASYNC. A memory-only
     * (store-by-reference) cache ignores the tier.
     *
     * @param key   the key
     * @param value the value
     * @param tier  how durable the put is when this returns
     */
    public void put(K key, V value, Durability tier) {
        requireOpen();
        checks.entry(key, value);
        Objects.requireNonNull(tier, "tier");
        putOne(key, value, true, persistent ? tier : Durability.MEMORY, Completion.Counted.PUT);
    }

    @Override
    public V getAndPut(K key, V value) {
        requireOpen();
        checks.entry(key, value);
        Change<V> c = putOne(key, value, true, tiers.put(), Completion.Counted.READ_THEN_PUT);
        return c.hit() ? values.out(c.old().payload) : null;
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        requireOpen();
        checks.entry(key, value);
        return putOne(key, value, false, tiers.put(), Completion.Counted.READ_THEN_PUT).stored();
    }

    /** Puts one entry atomically, telling the writer; with {@code replace} false a live entry is kept. */
    private Change<V> putOne(K key, V value, boolean replace, Durability tier, Completion.Counted counted) {
        long start = stats.startTime();
        Object heldValue = unencodable.in(value);
        Mutations.Rule<V> rule = live -> live == null || replace ? new Step.Put<>(value, heldValue, true) : Step.keep();
        Change<V> c = replace && counted == Completion.Counted.PUT && !completion.listening()
                ? mutations.applyBlind(key, keys.in(key), tier, rule)
                : mutations.apply(key, keys.in(key), tier, rule);
        return completion.complete(key, c, counted, start);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        requireOpen();
        Objects.requireNonNull(entries, "map");
        entries.forEach(checks::entry);
        bulk.putAll(entries);
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        requireOpen();
        checks.entry(key, newValue);
        Objects.requireNonNull(oldValue, "oldValue");
        long start = stats.startTime();
        Object heldValue = unencodable.in(newValue);
        Change<V> c = mutations.apply(key, keys.in(key), tiers.put(), live -> live == null ? Step.keep()
                : values.out(live.payload).equals(oldValue) ? new Step.Put<>(newValue, heldValue, true) : Step.read());
        return completion.complete(key, c, Completion.Counted.READ_THEN_PUT, start).stored();
    }

    @Override
    public boolean replace(K key, V value) {
        requireOpen();
        checks.entry(key, value);
        return replaceLive(key, value).stored();
    }

    @Override
    public V getAndReplace(K key, V value) {
        requireOpen();
        checks.entry(key, value);
        Change<V> c = replaceLive(key, value);
        return c.stored() ? values.out(c.old().payload) : null;
    }

    private Change<V> replaceLive(K key, V value) {
        long start = stats.startTime();
        Object heldValue = unencodable.in(value);
        Change<V> c = mutations.apply(key, keys.in(key), tiers.put(),
                live -> live == null ? Step.keep() : new Step.Put<>(value, heldValue, true));
        return completion.complete(key, c, Completion.Counted.READ_THEN_PUT, start);
    }

    // ------------------------------------------------------------------ removal

    @Override
    public boolean remove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        return removeOne(key, tiers.remove(), Completion.Counted.REMOVE).removed();
    }

    /**
     * {@link #remove(Object)} at a tier chosen for this call (the native API beyond JCache).
     *
     * @param key  the key
     * @param tier how durable the removal is when this returns
     * @return whether a live entry was removed
     */
    public boolean remove(K key, Durability tier) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tier, "tier");
        return removeOne(key, persistent ? tier : Durability.MEMORY, Completion.Counted.REMOVE).removed();
    }

    @Override
    public V getAndRemove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Change<V> c = removeOne(key, tiers.remove(), Completion.Counted.READ_THEN_REMOVE);
        return c.removed() ? values.out(c.old().payload) : null;
    }

    /** Removes a key; the writer is told in any case. */
    private Change<V> removeOne(K key, Durability tier, Completion.Counted counted) {
        long start = stats.startTime();
        Mutations.Rule<V> rule = live -> new Step.Remove<>(true, false);
        Change<V> c = counted == Completion.Counted.REMOVE && !completion.listening()
                ? mutations.applyBlind(key, keys.in(key), tier, rule)
                : mutations.apply(key, keys.in(key), tier, rule);
        return completion.complete(key, c, counted, start);
    }

    @Override
    public boolean remove(K key, V oldValue) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        long start = stats.startTime();
        Change<V> c = mutations.apply(key, keys.in(key), tiers.remove(), live -> live == null ? Step.keep()
                : values.out(live.payload).equals(oldValue) ? new Step.Remove<>(true, false) : Step.read());
        return completion.complete(key, c, Completion.Counted.READ_THEN_REMOVE, start).removed();
    }

    @Override
    public void removeAll(Set<? extends K> keySet) {
        requireOpen();
        EntryChecks.keys(keySet);
        bulk.removeAll(new LinkedHashSet<>(keySet));
    }

    @Override
    public void removeAll() {
        requireOpen();
        Set<K> all = new LinkedHashSet<>();
        for (Iterator<Object> it = map.keys(); it.hasNext(); ) {
            all.add(keys.out(it.next()));
        }
        bulk.removeAll(all);
    }

    @Override
    public void clear() {
        requireOpen();
        bulk.clear(tiers.remove());
    }

    // ------------------------------------------------------------------ entry processors

    @Override
    @SuppressWarnings("unchecked")
    public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(processor, "entryProcessor");
        long start = stats.startTime();
        Object[] result = new Object[1];
        Change<V> c = mutations.apply(key, keys.in(key), tiers.invoke(),
                processing.rule(key, processor, arguments, result));
        completion.complete(key, c, Completion.Counted.INVOKE, start);
        return (T) result[0];
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keySet, EntryProcessor<K, V, T> processor,
                                                         Object... arguments) {
        requireOpen();
        EntryChecks.keys(keySet);
        Objects.requireNonNull(processor, "entryProcessor");
        return EntryProcessing.forEach(keySet, k -> invoke(k, processor, arguments));
    }

    // ------------------------------------------------------------------ iteration

    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        requireOpen();
        return new CacheIterator<>(disk ? CacheIterator.stored(map) : memory.asMap().entrySet().iterator(), map, keys,
                values, mutations, stats, clock, key -> {
            requireOpen();
            remove(key);
        });
    }

    // ------------------------------------------------------------------ checks and store failures

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache '" + name + "' is closed");
        }
    }

    // ------------------------------------------------------------------ configuration and management

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

    /** Turns statistics on or off, registering or unregistering their MXBean. */
    void setStatisticsEnabled(boolean enabled) {
        resources.statistics(enabled);
    }

    /** Registers or unregisters the configuration MXBean. */
    void setManagementEnabled(boolean enabled) {
        resources.management(enabled);
    }

    /** @return the configured key type */
    Class<K> keyType() {
        return keyType;
    }

    /** @return the configured value type */
    Class<V> valueType() {
        return valueType;
    }

    /** @return the statistics of this cache (also its MXBean) */
    public CacheStats statistics() {
        return stats;
    }

    /**
     * @return the values this cache did not store since it was created because its codec cannot write them
     *         ({@code onUnencodable: skip}; always 0 with {@code fail}, where such a put throws). The store's
     *         {@code skippedValues} sums them over its caches.
     */
    public long skippedValues() {
        return unencodable.skipped();
    }

    /**
     * @return the write-behind statistics of this cache (pending count, oldest pending age, delivered, retries, given
     *         up, last error; also its MBean), or null if the cache has no {@code writeBehind}
     */
    public WriteBehindMXBean writeBehind() {
        return behind == null ? null : behind.stats();
    }

    /**
     * Delivers what write-behind holds pending now, without waiting for its delay (keys waiting for a retry after a
     * failure still wait for it), and waits until nothing is pending or the time runs out.
     *
     * @param timeout how long to wait at most
     * @return true if nothing was pending when this returned (always true without write-behind)
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean flushWriteBehind(java.time.Duration timeout) throws InterruptedException {
        requireOpen();
        return behind == null || behind.flush(timeout);
    }

    /** @return the tier of each kind of operation of this cache (all MEMORY for a memory-only cache) */
    public OperationTiers tiers() {
        return tiers;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void close() {
        closeAlone(false);
        manager.forget(this);
    }

    /**
     * Closes this cache while its manager stays open: its namespace is detached from the store (its entries stay
     * in the log, to be adopted by the next cache of that name), then the application's components are closed.
     * With {@code destroy}, its entries are deleted from the log first.
     */
    void closeAlone(boolean destroy) {
        if (!markClosed()) {
            return;
        }
        if (destroy || !persistent) {
            // destroyed entries must not come back after a restart, whatever tier the cache writes at
            bulk.clear(persistent ? Durability.WRITE : Durability.MEMORY);
        }
        finishDeliveries();
        try {
            map.close();
            if (behind != null) {
                behind.pendingMap().close();
                if (destroy) {
                    behind.dropUndelivered();
                }
            }
            if (clustering != null) {
                for (PersistMap<?, ?> m : clustering.namespaces()) {
                    m.close();
                }
                if (destroy && map.store().isOpen()) {
                    for (String ns : CacheNamespaces.clusterCompanionsOf(name)) {
                        map.store().dropNamespace(ns, Durability.WRITE);
                    }
                }
            }
        } finally {
            memory.release();
            closeComponents();
        }
    }

    /**
     * Stops write-behind and delivers what it holds, for at most its {@code flushOnClose}; what is left stays in the
     * log. Called after {@link #markClosed} (no change can be made any more) and before the namespaces are released.
     */
    void finishDeliveries() {
        if (behind != null) {
            behind.finish();
        }
        if (clustering != null) {
            clustering.finish();
        }
    }

    /** @return the namespaces of this cache in its store: its own, its write-behind state and its cluster state */
    List<PersistMap<?, ?>> namespaces() {
        List<PersistMap<?, ?>> all = new java.util.ArrayList<>(List.of(map));
        if (behind != null) {
            all.add(behind.pendingMap());
        }
        if (clustering != null) {
            all.addAll(clustering.namespaces());
        }
        return all;
    }

    /** @return false if the cache was already closed; from now on every operation throws */
    boolean markClosed() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    /**
     * Closes what this cache holds beside its namespace: MBeans, listeners, loader, writer, expiry policy, and its
     * entries in memory. The manager calls it after releasing the store (which detaches or keeps the namespace).
     */
    void closeComponents() {
        resources.close();
        memory.release();
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

    /** @return how many entries the memory front holds now, after Caffeine's pending evictions (tests) */
    /** @return the cache's memory (for tests of the front) */
    CaffeineMemory memory() {
        return memory;
    }

    long frontSize() {
        memory.cleanUp();
        return memory.asMap().size();
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
