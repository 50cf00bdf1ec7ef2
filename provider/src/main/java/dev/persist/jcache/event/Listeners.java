package dev.persist.jcache.event;

import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A cache's registered listeners and their delivery: synchronous ones on the caller's thread before the operation
 * returns, asynchronous ones on one thread per cache, so that each listener sees the events of a key in order.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class Listeners<K, V> {
    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private final CopyOnWriteArrayList<ListenerRegistration<K, V>> registrations = new CopyOnWriteArrayList<>();
    private final String cacheName;
    private volatile ExecutorService async;

    /** @param cacheName for the async thread's name */
    public Listeners(String cacheName) {
        this.cacheName = cacheName;
    }

    /** @return whether any listener is registered (if not, no events need to be built) */
    public boolean any() {
        return !registrations.isEmpty();
    }

    /**
     * @param configuration a listener configuration
     * @throws IllegalArgumentException if an equal configuration is already registered
     */
    public synchronized void register(CacheEntryListenerConfiguration<K, V> configuration) {
        for (ListenerRegistration<K, V> r : registrations) {
            if (r.configuration().equals(configuration)) {
                throw new IllegalArgumentException("listener configuration already registered: " + configuration);
            }
        }
        registrations.add(new ListenerRegistration<>(configuration));
    }

    /** @return whether a registration was removed */
    public synchronized boolean deregister(CacheEntryListenerConfiguration<K, V> configuration) {
        for (ListenerRegistration<K, V> r : registrations) {
            if (r.configuration().equals(configuration)) {
                registrations.remove(r);
                r.close();
                return true;
            }
        }
        return false;
    }

    /**
     * Delivers a batch: asynchronous listeners are queued, synchronous ones called now.
     *
     * @throws javax.cache.event.CacheEntryListenerException if a synchronous listener failed
     */
    public void dispatch(EventBatch<K, V> batch) {
        List<CacheEntryEvent<K, V>> events = batch.events();
        if (events.isEmpty()) {
            return;
        }
        Map<EventType, List<CacheEntryEvent<K, V>>> byType = new EnumMap<>(EventType.class);
        for (CacheEntryEvent<K, V> e : events) {
            byType.computeIfAbsent(e.getEventType(), t -> new ArrayList<>()).add(e);
        }
        for (ListenerRegistration<K, V> r : registrations) {
            if (r.isSynchronous()) {
                continue;
            }
            for (Map.Entry<EventType, List<CacheEntryEvent<K, V>>> typed : byType.entrySet()) {
                if (r.accepts(typed.getKey())) {
                    asyncExecutor().execute(() -> {
                        try {
                            r.deliver(typed.getKey(), typed.getValue());
                        } catch (RuntimeException ex) {
                            LOG.log(System.Logger.Level.WARNING, "asynchronous listener failed", ex);
                        }
                    });
                }
            }
        }
        for (ListenerRegistration<K, V> r : registrations) {
            if (!r.isSynchronous()) {
                continue;
            }
            for (Map.Entry<EventType, List<CacheEntryEvent<K, V>>> typed : byType.entrySet()) {
                if (r.accepts(typed.getKey())) {
                    r.deliver(typed.getKey(), typed.getValue());
                }
            }
        }
    }

    private ExecutorService asyncExecutor() {
        ExecutorService e = async;
        if (e == null) {
            synchronized (this) {
                e = async;
                if (e == null) {
                    e = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "persist-jcache-events-" + cacheName);
                        t.setDaemon(true);
                        return t;
                    });
                    async = e;
                }
            }
        }
        return e;
    }

    /** Waits (a bounded time) for queued asynchronous events, then closes every listener. */
    public synchronized void close() {
        ExecutorService e = async;
        if (e != null) {
            e.shutdown();
            try {
                if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "asynchronous listeners of " + cacheName + " did not finish");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        for (ListenerRegistration<K, V> r : registrations) {
            r.close();
        }
        registrations.clear();
    }
}
