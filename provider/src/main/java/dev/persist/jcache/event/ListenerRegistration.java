package dev.persist.jcache.event;

import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A registered listener: the configuration it came from, the listener and filter its factories built, and how to
 * hand it a batch of events of one type.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ListenerRegistration<K, V> {
    private final CacheEntryListenerConfiguration<K, V> configuration;
    private final CacheEntryListener<? super K, ? super V> listener;
    private final CacheEntryEventFilter<? super K, ? super V> filter;

    /**
     * @param configuration what the application registered; its factories are called once, here
     */
    public ListenerRegistration(CacheEntryListenerConfiguration<K, V> configuration) {
        this.configuration = configuration;
        this.listener = configuration.getCacheEntryListenerFactory().create();
        Factory<CacheEntryEventFilter<? super K, ? super V>> ff = configuration.getCacheEntryEventFilterFactory();
        this.filter = ff == null ? null : ff.create();
    }

    /** @return the configuration this registration came from */
    public CacheEntryListenerConfiguration<K, V> configuration() {
        return configuration;
    }

    /** @return whether events are delivered before the cache operation returns */
    public boolean isSynchronous() {
        return configuration.isSynchronous();
    }

    /** @return whether the listener wants events of this type at all */
    public boolean accepts(EventType type) {
        return switch (type) {
            case CREATED -> listener instanceof CacheEntryCreatedListener;
            case UPDATED -> listener instanceof CacheEntryUpdatedListener;
            case REMOVED -> listener instanceof CacheEntryRemovedListener;
            case EXPIRED -> listener instanceof CacheEntryExpiredListener;
        };
    }

    /**
     * Filters and delivers events, all of {@code type}.
     *
     * @throws CacheEntryListenerException wrapping whatever the filter or listener threw
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void deliver(EventType type, List<CacheEntryEvent<K, V>> events) {
        List<CacheEntryEvent<K, V>> selected = new ArrayList<>(events.size());
        try {
            for (CacheEntryEvent<K, V> e : events) {
                if (filter == null || ((CacheEntryEventFilter) filter).evaluate(e)) {
                    selected.add(e);
                }
            }
            if (selected.isEmpty()) {
                return;
            }
            Iterable it = selected;
            switch (type) {
                case CREATED -> ((CacheEntryCreatedListener) listener).onCreated(it);
                case UPDATED -> ((CacheEntryUpdatedListener) listener).onUpdated(it);
                case REMOVED -> ((CacheEntryRemovedListener) listener).onRemoved(it);
                case EXPIRED -> ((CacheEntryExpiredListener) listener).onExpired(it);
            }
        } catch (CacheEntryListenerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheEntryListenerException("listener " + listener + " failed on " + type + " events", e);
        }
    }

    /** Closes the listener and filter if they are {@link Closeable}. */
    public void close() {
        closeQuietly(listener);
        closeQuietly(filter);
    }

    private static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                System.getLogger(ListenerRegistration.class.getName())
                        .log(System.Logger.Level.WARNING, "closing " + o + " failed", e);
            } catch (Exception e) {
                System.getLogger(ListenerRegistration.class.getName())
                        .log(System.Logger.Level.WARNING, "closing " + o + " failed", e);
            }
        }
    }
}
