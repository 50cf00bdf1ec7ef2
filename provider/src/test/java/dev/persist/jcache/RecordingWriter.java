package dev.persist.jcache;

import javax.cache.Cache;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test {@link CacheWriter} (named by class in configurations) that records every call, per key in delivery order,
 * and fails on demand: the next calls entirely, or some keys always (writing the others and leaving the failed ones
 * in the collection, as JSR-107's writeAll contract says).
 */
public class RecordingWriter implements CacheWriter<String, String> {
    /** What each key received, in order: a value, or {@code "-"} for a delete. */
    final Map<String, List<String>> received = new ConcurrentHashMap<>();
    final AtomicInteger writeAllCalls = new AtomicInteger();
    final AtomicInteger deleteAllCalls = new AtomicInteger();
    final AtomicInteger singleCalls = new AtomicInteger();
    final AtomicInteger largestBatch = new AtomicInteger();
    /** The size of each writeAll call's collection, in order. */
    final List<Integer> writeAllSizes = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger entriesReceived = new AtomicInteger();
    final Set<String> poison = ConcurrentHashMap.newKeySet();
    /** Whether a batch holding a poison key fails whole, nothing written (else the others are written). */
    volatile boolean poisonFailsBatch;
    volatile int failNextCalls;
    volatile long slowMillis = nextSlowMillis;
    /** The {@link #slowMillis} of writers created from now on (those a configuration creates). */
    static volatile long nextSlowMillis;

    /** @return the writer of a cache whose configuration holds it (a configured class, or a factory given in code) */
    @SuppressWarnings("unchecked")
    static RecordingWriter of(Cache<String, String> cache) {
        return (RecordingWriter) cache.getConfiguration(CompleteConfiguration.class).getCacheWriterFactory().create();
    }

    String last(String key) {
        List<String> l = received.get(key);
        return l == null || l.isEmpty() ? null : l.get(l.size() - 1);
    }

    int received() {
        return entriesReceived.get();
    }

    private synchronized void failIfAsked() {
        if (failNextCalls > 0) {
            failNextCalls--;
            throw new IllegalStateException("database down (test)");
        }
    }

    private void pause() {
        if (slowMillis > 0) {
            try {
                Thread.sleep(slowMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void record(String key, String state) {
        received.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(state);
        entriesReceived.incrementAndGet();
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
        singleCalls.incrementAndGet();
        failIfAsked();
        record(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
        writeAllCalls.incrementAndGet();
        writeAllSizes.add(entries.size());
        largestBatch.accumulateAndGet(entries.size(), Math::max);
        pause();
        failIfAsked();
        if (poisonFailsBatch && entries.stream().anyMatch(e -> poison.contains(e.getKey()))) {
            throw new CacheWriterException("poison key in the batch (test)");
        }
        boolean failed = false;
        for (Iterator<Cache.Entry<? extends String, ? extends String>> it = entries.iterator(); it.hasNext(); ) {
            Cache.Entry<? extends String, ? extends String> e = it.next();
            if (poison.contains(e.getKey())) {
                failed = true;
                continue;
            }
            record(e.getKey(), e.getValue());
            it.remove();
        }
        if (failed) {
            throw new CacheWriterException("poison key (test)");
        }
    }

    @Override
    public void delete(Object key) {
        singleCalls.incrementAndGet();
        failIfAsked();
        record((String) key, "-");
    }

    @Override
    public void deleteAll(Collection<?> keys) {
        deleteAllCalls.incrementAndGet();
        largestBatch.accumulateAndGet(keys.size(), Math::max);
        pause();
        failIfAsked();
        boolean failed = false;
        for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
            String k = (String) it.next();
            if (poison.contains(k)) {
                failed = true;
                continue;
            }
            record(k, "-");
            it.remove();
        }
        if (failed) {
            throw new CacheWriterException("poison key (test)");
        }
    }
}
