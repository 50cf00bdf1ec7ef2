package dev.persist.jcache.event;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.List;

/**
 * The events one cache operation produced, collected inside the operation's atomic sections and dispatched once it
 * is done. Cheap when no listener is registered: nothing is recorded.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class EventBatch<K, V> {
    private final Cache<K, V> source;
    private final boolean enabled;
    private List<CacheEntryEvent<K, V>> events;

    /**
     * @param source  the cache
     * @param enabled false if no listener is registered: then nothing is recorded
     */
    public EventBatch(Cache<K, V> source, boolean enabled) {
        this.source = source;
        this.enabled = enabled;
    }

    /** An entry was created. */
    public void created(K key, V value) {
        if (enabled) {
            add(new PersistCacheEntryEvent<>(source, EventType.CREATED, key, value, null, false));
        }
    }

    /** An entry changed value. */
    public void updated(K key, V value, V oldValue) {
        if (enabled) {
            add(new PersistCacheEntryEvent<>(source, EventType.UPDATED, key, value, oldValue, true));
        }
    }

    /** An entry was updated, and its old value is not known. */
    public void updatedWithoutOldValue(K key, V value) {
        if (enabled) {
            add(new PersistCacheEntryEvent<>(source, EventType.UPDATED, key, value, null, false));
        }
    }

    /** An entry was removed. */
    public void removed(K key, V oldValue) {
        if (enabled) {
            add(new PersistCacheEntryEvent<>(source, EventType.REMOVED, key, oldValue, oldValue, oldValue != null));
        }
    }

    /** An entry was found expired and dropped. */
    public void expired(K key, V oldValue) {
        if (enabled) {
            add(new PersistCacheEntryEvent<>(source, EventType.EXPIRED, key, oldValue, oldValue, true));
        }
    }

    /** @return whether events are being recorded (decoding old values is only worth it then) */
    public boolean enabled() {
        return enabled;
    }

    private void add(CacheEntryEvent<K, V> e) {
        if (events == null) {
            events = new ArrayList<>(2);
        }
        events.add(e);
    }

    /** @return the recorded events, in order (empty if none) */
    public List<CacheEntryEvent<K, V>> events() {
        return events == null ? List.of() : events;
    }
}
