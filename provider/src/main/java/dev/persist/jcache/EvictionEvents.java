package dev.persist.jcache;

import dev.persist.jcache.event.EventBatch;
import dev.persist.jcache.event.Listeners;
import dev.persist.jcache.management.CacheStats;
import dev.persist.store.PersistMap;

import java.util.function.BooleanSupplier;

/**
 * What a cache does when Caffeine drops an entry on its own (the store logs the delete itself): a size eviction is
 * counted, an expiration found by Caffeine becomes an EXPIRED event, delivered off Caffeine's thread. Created before
 * the cache's namespace (Caffeine may evict while the log's entries are adopted), it fires events only once
 * {@link #bind bound} to the assembled cache.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class EvictionEvents<K, V> implements CaffeineMemory.Observer {
    /** The parts of the assembled cache an event needs. */
    record Target<K, V>(PersistMap<Object, Stored> map, Form<K> keys, Form<V> values, Completion<K, V> completion,
                        BooleanSupplier closed) {
    }

    private final String cacheName;
    private final CacheStats stats;
    private final Listeners<K, V> listeners;
    private volatile Target<K, V> target;

    EvictionEvents(String cacheName, CacheStats stats, Listeners<K, V> listeners) {
        this.cacheName = cacheName;
        this.stats = stats;
        this.listeners = listeners;
    }

    void bind(Target<K, V> assembled) {
        this.target = assembled;
    }

    @Override
    public void evicted(Object heldKey, Stored value) {
        stats.eviction();
    }

    @Override
    public void expired(Object heldKey, Stored value) {
        Target<K, V> t = target;
        if (t != null && !t.closed().getAsBoolean() && listeners.any()) {
            Background.run(() -> expiredEvent(t, heldKey, value));
        }
    }

    private void expiredEvent(Target<K, V> t, Object held, Stored value) {
        try {
            Stored s = t.map().settled(held, value);
            if (s == null) {
                return; // a value that no longer decodes was never visible: no event
            }
            EventBatch<K, V> events = t.completion().batch();
            events.expired(t.keys().out(held), t.values().out(s.payload));
            t.completion().dispatch(events);
        } catch (RuntimeException e) {
            System.getLogger(PersistCache.class.getName()).log(System.Logger.Level.WARNING,
                    "EXPIRED listener of cache '" + cacheName + "' failed", e);
        }
    }
}
