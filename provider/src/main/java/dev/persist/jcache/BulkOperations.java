package dev.persist.jcache;

import dev.persist.jcache.config.OperationTiers;
import dev.persist.jcache.event.EventBatch;
import dev.persist.jcache.integration.Loader;
import dev.persist.jcache.integration.Writer;
import dev.persist.jcache.management.CacheStats;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;

import javax.cache.Cache;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The operations of a cache on many keys: putAll, removeAll, clear and loadAll. The writer (or loader) is called
 * once for the batch; each key is then changed through {@link Mutations} at ASYNC and the whole batch made as
 * durable as the operation's tier says at the end, so n keys cost a few writes and one fsync instead of n of each.
 * Events are delivered once for the batch; statistics count the batch.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class BulkOperations<K, V> {
    private final PersistMap<Object, Stored> map;
    private final Mutations<K, V> mutations;
    private final Completion<K, V> completion;
    private final Form<K> keys;
    private final Form<V> values;
    private final Writer<K, V> writer;
    private final Loader<K, V> loader;
    private final OperationTiers tiers;
    private final CacheStats stats;
    private final UnencodableValues<V> unencodable;

    BulkOperations(CacheAssembly<K, V> parts, Mutations<K, V> mutations, Completion<K, V> completion,
                   CacheStats stats) {
        this.map = parts.map;
        this.keys = parts.keys;
        this.values = parts.values;
        this.unencodable = parts.unencodable;
        this.writer = parts.writer;
        this.loader = parts.loader;
        this.tiers = parts.tiers;
        this.mutations = mutations;
        this.completion = completion;
        this.stats = stats;
    }

    /** A key and its value in the forms the cache holds them (see {@link Form}). */
    private record HeldEntry(Object key, Object value) {
    }

    void putAll(Map<? extends K, ? extends V> entries) {
        long start = stats.startTime();
        Map<K, V> toPut = new LinkedHashMap<>(entries);
        // every key and value in its held form first: one the codec cannot write (not serializable, outside the
        // serialization allowlist) fails the whole call before the writer or the cache sees any entry; with
        // onUnencodable: skip such a value is written through but leaves its key without an entry
        Map<K, HeldEntry> heldForms = new HashMap<>();
        toPut.forEach((k, v) -> heldForms.put(k, new HeldEntry(keys.in(k), unencodable.in(v))));
        List<Cache.Entry<? extends K, ? extends V>> batch = new ArrayList<>(toPut.size());
        toPut.forEach((k, v) -> batch.add(new SimpleEntry<>(k, v)));
        CacheWriterException failure = writer.writeAll(batch);
        if (failure != null) {
            // what the writer left in the batch was not written: it must not enter the cache either
            batch.forEach(left -> toPut.remove(left.getKey()));
        }
        EventBatch<K, V> events = completion.batch();
        long puts = 0;
        try {
            for (Map.Entry<K, V> e : toPut.entrySet()) {
                HeldEntry held = heldForms.get(e.getKey());
                Mutations.Rule<V> rule = live -> new Step.Put<>(e.getValue(), held.value(), false, true);
                Change<V> c = events.enabled()
                        ? mutations.apply(e.getKey(), held.key(), perKey(tiers.put()), rule)
                        : mutations.applyBlind(e.getKey(), held.key(), perKey(tiers.put()), rule);
                completion.record(e.getKey(), c, events, Completion.Counted.NOTHING, 0);
                puts += c.stored() ? 1 : 0;
            }
        } finally {
            flush(tiers.put());
        }
        completion.dispatch(events);
        if (puts > 0) {
            stats.puts(puts);
            stats.putTime(System.nanoTime() - start);
        }
        if (failure != null) {
            throw failure;
        }
    }

    void removeAll(Set<K> toRemove) {
        long start = stats.startTime();
        Collection<K> batch = new ArrayList<>(toRemove);
        CacheWriterException failure = writer.deleteAll(batch);
        if (failure != null) {
            // keys the writer left in the batch were not deleted from the backend: keep them cached
            toRemove.removeAll(new ArrayList<>(batch));
        }
        EventBatch<K, V> events = completion.batch();
        long removed = 0;
        try {
            for (K k : toRemove) {
                Mutations.Rule<V> rule = live -> new Step.Remove<>(false, false, true);
                Change<V> c = events.enabled()
                        ? mutations.apply(k, keys.in(k), perKey(tiers.remove()), rule)
                        : mutations.applyBlind(k, keys.in(k), perKey(tiers.remove()), rule);
                completion.record(k, c, events, Completion.Counted.NOTHING, 0);
                removed += c.removed() ? 1 : 0;
            }
        } finally {
            flush(tiers.remove());
        }
        completion.dispatch(events);
        if (removed > 0) {
            stats.removals(removed);
            stats.removeTime(System.nanoTime() - start);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Deletes every entry, without writer calls or events (JSR-107's clear), at {@code tier}. */
    void clear(Durability tier) {
        mutations.guarded(() -> {
            try {
                map.clear(perKey(tier));
            } finally {
                flush(tier);
            }
            return null;
        });
    }

    /** Puts a loaded value: no writer call. With {@code replace} false, a live entry is kept. */
    boolean storeLoaded(K key, V value, boolean replace, EventBatch<K, V> events, Durability tier) {
        Object heldValue = unencodable.in(value);
        Change<V> c = mutations.apply(key, keys.in(key), tier,
                live -> live == null || replace ? new Step.Put<>(value, heldValue, false) : Step.keep());
        completion.record(key, c, events, Completion.Counted.NOTHING, 0);
        return c.stored();
    }

    /**
     * loadAll on a background thread: loads the keys not present (or all, with {@code replace}) in one loader call
     * and stores what it returns.
     */
    void loadAll(List<K> toLoad, boolean replace, Predicate<K> present, CompletionListener listener) {
        Background.run(() -> {
            try {
                List<K> wanted = new ArrayList<>();
                for (K k : toLoad) {
                    if (replace || !present.test(k)) {
                        wanted.add(k);
                    }
                }
                Map<K, V> loaded = loader.loadAll(wanted);
                EventBatch<K, V> events = completion.batch();
                long puts = 0;
                if (loaded != null) {
                    try {
                        for (Map.Entry<K, V> e : loaded.entrySet()) {
                            if (e.getKey() != null && e.getValue() != null && storeLoaded(e.getKey(), e.getValue(),
                                    replace, events, perKey(tiers.load()))) {
                                puts++;
                            }
                        }
                    } finally {
                        flush(tiers.load());
                    }
                }
                completion.dispatch(events);
                stats.puts(puts);
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

    /**
     * The tier of each key of a bulk operation at {@code tier}: WRITE and FSYNC become ASYNC, and {@link #flush}
     * then makes them all durable at once before the operation returns.
     */
    private static Durability perKey(Durability tier) {
        return tier == Durability.WRITE || tier == Durability.FSYNC ? Durability.ASYNC : tier;
    }

    /** Makes the ASYNC records of a bulk operation at {@code tier} as durable as {@code tier} says. */
    private void flush(Durability tier) {
        mutations.guarded(() -> {
            if (tier == Durability.WRITE || tier == Durability.FSYNC) {
                map.sync();
            }
            if (tier == Durability.FSYNC) {
                map.store().fsyncAll();
            }
            return null;
        });
    }
}
