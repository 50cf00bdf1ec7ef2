package dev.persist.jcache.integration;

import dev.persist.jcache.Stored;
import dev.persist.store.Update;

import javax.cache.Cache;
import javax.cache.integration.CacheWriterException;
import java.util.Collection;

/**
 * What a cache's operations tell the system of record behind it. {@link #none()} is the writer of a cache without
 * write-through: every call does nothing, so operations call it unconditionally.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface Writer<K, V> extends AutoCloseable {
    /**
     * @param key   the key
     * @param value its new value
     * @throws CacheWriterException if the writer failed (the cache then keeps its entry as it was)
     */
    void write(K key, V value);

    /**
     * @param key the key removed
     * @throws CacheWriterException if the writer failed
     */
    void delete(K key);

    /**
     * @param batch the entries; the writer removes those it wrote
     * @return null, or the failure: the entries left in {@code batch} were not written
     */
    CacheWriterException writeAll(Collection<Cache.Entry<? extends K, ? extends V>> batch);

    /**
     * @param batch the keys; the writer removes those it deleted
     * @return null, or the failure: the keys left in {@code batch} were not deleted
     */
    CacheWriterException deleteAll(Collection<K> batch);

    /**
     * Called in the key's atomic section once an operation that the system of record must hear of (not a load, an
     * expiry or an eviction) has decided the key's state. A write-behind writer records there that the key owes
     * its writer that state ({@link BehindWriter}); the others do nothing, having been told synchronously.
     *
     * @param held  the key as the cache holds it
     * @param state the key's state the operation leaves for the system of record, or null if it leaves the key
     *              absent
     * @param u     the key's update, to which the record of what is owed is attached
     */
    default void owe(Object held, Stored state, Update<Stored> u) {
        // told synchronously (write-through) or not at all
    }

    /**
     * Called after the atomic section of a change that {@link #owe}d something, outside the key's lock, before the
     * operation returns: a writer whose record must reach somewhere first waits here (a clustered cache at durability
     * {@code replicated}, for Kafka's acknowledgement). The others return at once.
     */
    default void awaitOwed() {
        // nothing to wait for
    }

    /**
     * Called instead of {@link #awaitOwed} when the change's atomic section threw (the store kept nothing of it):
     * a writer that remembered, in {@link #owe}, what {@link #awaitOwed} is to wait for forgets it here. The others
     * (every writer of a cache that is not clustered) do nothing.
     */
    default void forgetOwed() {
        // nothing remembered
    }

    /**
     * Called when the cache closes, before its namespaces are released and before {@link #close}: a write-behind
     * writer delivers what is pending, for a bounded time. The others have nothing pending.
     */
    default void finish() {
        // nothing pending
    }

    /** @return whether calls reach a writer */
    boolean active();

    @Override
    void close();

    /**
     * @param <K> key type
     * @param <V> value type
     * @return the writer of a cache without write-through
     */
    @SuppressWarnings("unchecked")
    static <K, V> Writer<K, V> none() {
        return (Writer<K, V>) NoWriter.INSTANCE;
    }
}
