package dev.persist.jcache.event;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

/**
 * One entry event. For REMOVED and EXPIRED events both {@link #getValue()} and {@link #getOldValue()} hold the
 * value the entry had, as JSR-107 1.1 asks; CREATED events have no old value.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class PersistCacheEntryEvent<K, V> extends CacheEntryEvent<K, V> {
    private static final long serialVersionUID = 1L;

    /** The entry's key. */
    private final K key;
    /** The value after the event (for REMOVED and EXPIRED: the value the entry had). */
    private final V value;
    /** The value before the event, or null. */
    private final V oldValue;
    /** Whether {@link #oldValue} is meaningful. */
    private final boolean oldValueAvailable;

    /**
     * @param source            the cache
     * @param type              what happened
     * @param key               the entry's key
     * @param value             the value after the event (for REMOVED and EXPIRED: the value it had)
     * @param oldValue          the value before the event, or null
     * @param oldValueAvailable whether {@code oldValue} is meaningful
     */
    public PersistCacheEntryEvent(Cache<K, V> source, EventType type, K key, V value, V oldValue,
                                  boolean oldValueAvailable) {
        super(source, type);
        this.key = key;
        this.value = value;
        this.oldValue = oldValue;
        this.oldValueAvailable = oldValueAvailable;
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
    public V getOldValue() {
        return oldValue;
    }

    @Override
    public boolean isOldValueAvailable() {
        return oldValueAvailable;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("cannot unwrap a cache entry event to " + clazz.getName());
    }

    @Override
    public String toString() {
        return "CacheEntryEvent[" + getEventType() + " " + key + "=" + value + " (old " + oldValue + ")]";
    }
}
