package dev.persist.jcache.cluster;

import dev.persist.jcache.Stored;
import dev.persist.jcache.integration.Writer;
import dev.persist.store.Update;

import javax.cache.Cache;
import javax.cache.integration.CacheWriterException;
import java.time.Duration;
import java.util.Collection;

/**
 * The writer of a clustered cache: the cache's own writer (write-through, or none), and, for every change the
 * system of record hears of, the record of what the key owes the cluster's topic ({@link Publisher#owe}). Loads,
 * expiry and eviction owe nothing: each node loads for itself, and expiry and eviction are local.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class PublishingWriter<K, V> implements Writer<K, V> {
    private final Writer<K, V> inner;
    private final Publisher publisher;
    private final Duration replicatedTimeout;

    /**
     * @param inner             the cache's writer (not a write-behind one: a change carries one companion record)
     * @param publisher         the cache's publisher
     * @param replicatedTimeout how long a change waits for Kafka's acknowledgement, or null if changes do not wait
     *                          (durability other than {@code replicated})
     */
    public PublishingWriter(Writer<K, V> inner, Publisher publisher, Duration replicatedTimeout) {
        this.inner = inner;
        this.publisher = publisher;
        this.replicatedTimeout = replicatedTimeout;
    }

    @Override
    public void owe(Object held, Stored state, Update<Stored> u) {
        inner.owe(held, state, u);
        publisher.owe(held, state, u);
    }

    @Override
    public void awaitOwed() {
        publisher.afterOwed(replicatedTimeout);
    }

    @Override
    public void forgetOwed() {
        publisher.forgetOwed();
    }

    @Override
    public void write(K key, V value) {
        inner.write(key, value);
    }

    @Override
    public void delete(K key) {
        inner.delete(key);
    }

    @Override
    public CacheWriterException writeAll(Collection<Cache.Entry<? extends K, ? extends V>> batch) {
        return inner.writeAll(batch);
    }

    @Override
    public CacheWriterException deleteAll(Collection<K> batch) {
        return inner.deleteAll(batch);
    }

    @Override
    public void finish() {
        inner.finish();
    }

    @Override
    public boolean active() {
        return inner.active();
    }

    @Override
    public void close() {
        inner.close();
    }
}
