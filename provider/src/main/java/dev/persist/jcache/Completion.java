package dev.persist.jcache;

import dev.persist.jcache.event.EventBatch;
import dev.persist.jcache.event.Listeners;
import dev.persist.jcache.management.CacheStats;

import javax.cache.Cache;

/**
 * The one completion of every operation: from the {@link Change} it made, fires the events (an expired entry met,
 * then created, updated or removed) and counts the statistics its kind calls for.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class Completion<K, V> {
    /** Which statistics an operation counts, beside its events. */
    enum Counted {
        /** none (loads, and the keys of bulk operations, which count once for the whole call) */
        NOTHING,
        /** a put if it stored (put) */
        PUT,
        /** a hit or a miss, and a put if it stored (getAndPut, putIfAbsent, replace, getAndReplace) */
        READ_THEN_PUT,
        /** a removal if it removed (remove) */
        REMOVE,
        /** a hit or a miss, and a removal if it removed (getAndRemove, remove(key, value)) */
        READ_THEN_REMOVE,
        /** a hit or a miss, the get time, and a put or a removal (invoke) */
        INVOKE
    }

    private final Cache<K, V> source;
    private final Form<V> values;
    private final Listeners<K, V> listeners;
    private final CacheStats stats;
    private final EventBatch<K, V> noEvents;

    Completion(Cache<K, V> source, Form<V> values, Listeners<K, V> listeners, CacheStats stats) {
        this.source = source;
        this.values = values;
        this.listeners = listeners;
        this.stats = stats;
        this.noEvents = new EventBatch<>(source, false);
    }

    /** @return whether a listener is registered: an operation then reports the values it replaces */
    boolean listening() {
        return listeners.any();
    }

    /** @return a batch for the events of one call (a shared one that records nothing when nobody listens) */
    EventBatch<K, V> batch() {
        return listeners.any() ? new EventBatch<>(source, true) : noEvents;
    }

    /** Delivers the events of one call. */
    void dispatch(EventBatch<K, V> events) {
        listeners.dispatch(events);
    }

    /** Completes a single-key operation: its events, delivered now, and its statistics. */
    Change<V> complete(K key, Change<V> change, Counted counted, long start) {
        EventBatch<K, V> events = batch();
        record(key, change, events, counted, start);
        dispatch(events);
        return change;
    }

    /** Adds the events of {@code change} to {@code events} (delivered by the caller) and counts its statistics. */
    void record(K key, Change<V> change, EventBatch<K, V> events, Counted counted, long start) {
        if (events.enabled()) {
            if (change.expired() != null) {
                events.expired(key, values.out(change.expired().payload));
            }
            switch (change.kind()) {
                case CREATED -> events.created(key, change.value());
                // an old value a blind write did not read (a listener registered while it ran) is not available
                case UPDATED -> {
                    if (change.old().isRead()) {
                        events.updated(key, change.value(), values.out(change.old().payload));
                    } else {
                        events.updatedWithoutOldValue(key, change.value());
                    }
                }
                case REMOVED -> events.removed(key, change.old().isRead() ? values.out(change.old().payload) : null);
                case UNCHANGED -> {
                }
            }
        }
        count(change, counted, start);
    }

    private void count(Change<V> change, Counted counted, long start) {
        if (!stats.enabled()) {
            return;
        }
        switch (counted) {
            case NOTHING -> {
            }
            case PUT -> {
                if (change.stored()) {
                    stats.put(start);
                }
            }
            case READ_THEN_PUT -> {
                stats.hitOrMiss(change.hit());
                if (change.stored()) {
                    stats.put(start);
                }
            }
            case REMOVE -> {
                if (change.removed()) {
                    stats.removal(start);
                }
            }
            case READ_THEN_REMOVE -> {
                stats.hitOrMiss(change.hit());
                if (change.removed()) {
                    stats.removal(start);
                }
            }
            case INVOKE -> {
                stats.hitOrMiss(change.hit());
                stats.getTimeSince(start);
                if (change.stored()) {
                    stats.put(start);
                } else if (change.removed()) {
                    stats.removal(start);
                }
            }
        }
    }
}
