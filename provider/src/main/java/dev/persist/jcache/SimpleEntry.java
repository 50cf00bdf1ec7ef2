package dev.persist.jcache;

import javax.cache.Cache;
import java.util.Objects;

/**
 * An immutable {@link Cache.Entry}: what iterators return and what cache writers are given.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class SimpleEntry<K, V> implements Cache.Entry<K, V> {
    private final K key;
    private final V value;

    /**
     * @param key   not null
     * @param value not null
     */
    public SimpleEntry(K key, V value) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = Objects.requireNonNull(value, "value");
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("cannot unwrap a cache entry to " + clazz.getName());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimpleEntry<?, ?> e && key.equals(e.key) && value.equals(e.value);
    }

    @Override
    public int hashCode() {
        return key.hashCode() ^ value.hashCode();
    }

    @Override
    public String toString() {
        return key + "=" + value;
    }
}
