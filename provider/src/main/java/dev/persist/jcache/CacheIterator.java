package dev.persist.jcache;

import dev.persist.jcache.management.CacheStats;
import dev.persist.store.PersistMap;

import javax.cache.Cache;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Iterates a cache's live entries: weakly consistent (as the memory's own iterator), each entry settled, decoded
 * (a copy for store-by-value caches), counted as a hit and read for access expiry; {@link #remove()} removes through
 * the cache, with its writer call and event.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class CacheIterator<K, V> implements Iterator<Cache.Entry<K, V>> {
    private final Iterator<Map.Entry<Object, Stored>> entries;
    private final PersistMap<Object, Stored> map;
    private final Form<K> keys;
    private final Form<V> values;
    private final Mutations<K, V> mutations;
    private final CacheStats stats;
    private final Clock clock;
    private final Consumer<K> remove;
    private Cache.Entry<K, V> next;
    private Cache.Entry<K, V> last;

    CacheIterator(Iterator<Map.Entry<Object, Stored>> entries, PersistMap<Object, Stored> map, Form<K> keys,
                  Form<V> values, Mutations<K, V> mutations, CacheStats stats, Clock clock, Consumer<K> remove) {
        this.entries = entries;
        this.map = map;
        this.keys = keys;
        this.values = values;
        this.mutations = mutations;
        this.stats = stats;
        this.clock = clock;
        this.remove = remove;
    }

    /**
     * The entries of a cache with {@code disk}: every key the store holds, each value from memory or read back from
     * disk without being kept in memory (a pass over the whole cache must not push out what is in use).
     *
     * @param map the cache's namespace
     * @return its entries, as held
     */
    static Iterator<Map.Entry<Object, Stored>> stored(PersistMap<Object, Stored> map) {
        return map.entries();
    }

    @Override
    public boolean hasNext() {
        long now = clock.millis();
        while (next == null && entries.hasNext()) {
            Map.Entry<Object, Stored> e = entries.next();
            Stored s = map.settled(e.getKey(), e.getValue());
            if (s != null && !s.expiredAt(now)) {
                long start = stats.startTime();
                next = new SimpleEntry<>(keys.out(e.getKey()), values.out(s.payload));
                mutations.touch(e.getKey(), s);
                stats.hits(1);
                stats.getTimeSince(start);
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
        K key = last.getKey();
        last = null;
        remove.accept(key);
    }
}
