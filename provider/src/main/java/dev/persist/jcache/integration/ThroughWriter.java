package dev.persist.jcache.integration;

import dev.persist.jcache.SimpleEntry;

import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import java.util.Collection;

/**
 * Write-through to the cache's {@link CacheWriter}, inside the key's atomic section: the writer, memory and the log
 * change together or not at all. Failures reach the caller as {@link CacheWriterException}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ThroughWriter<K, V> implements Writer<K, V> {
    private final String cacheName;
    private final CacheWriter<K, V> writer;

    /**
     * @param cacheName for messages
     * @param writer    the application's writer
     */
    public ThroughWriter(String cacheName, CacheWriter<K, V> writer) {
        this.cacheName = cacheName;
        this.writer = writer;
    }

    @Override
    public void write(K key, V value) {
        try {
            writer.write(new SimpleEntry<>(key, value));
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("cache writer of '" + cacheName + "' failed for " + key, e);
        }
    }

    @Override
    public void delete(K key) {
        try {
            writer.delete(key);
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("cache writer of '" + cacheName + "' failed to delete " + key, e);
        }
    }

    @Override
    public CacheWriterException writeAll(Collection<Cache.Entry<? extends K, ? extends V>> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        try {
            writer.writeAll(batch);
            return null;
        } catch (Exception e) {
            return wrap(e);
        }
    }

    @Override
    public CacheWriterException deleteAll(Collection<K> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        try {
            writer.deleteAll(batch);
            return null;
        } catch (Exception e) {
            return wrap(e);
        }
    }

    private CacheWriterException wrap(Exception e) {
        return e instanceof CacheWriterException cwe ? cwe
                : new CacheWriterException("cache writer of '" + cacheName + "' failed", e);
    }

    @Override
    public boolean active() {
        return true;
    }

    @Override
    public void close() {
        Closing.quietly(writer);
    }
}
