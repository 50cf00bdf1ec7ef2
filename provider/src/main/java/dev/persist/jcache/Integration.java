package dev.persist.jcache;

import javax.cache.Cache;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import java.util.Collection;
import java.util.Map;

/**
 * A cache's {@link CacheLoader} and {@link CacheWriter}, called as JSR-107 says: the writer only with write-through
 * on, failures wrapped in {@link CacheLoaderException} / {@link CacheWriterException}.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class Integration<K, V> {
    private final String cacheName;
    private final CacheLoader<K, V> loader;
    private final CacheWriter<K, V> writer;
    private final boolean readThrough;
    private final boolean writeThrough;

    Integration(String cacheName, CacheLoader<K, V> loader, CacheWriter<K, V> writer, boolean readThrough,
                boolean writeThrough) {
        this.cacheName = cacheName;
        this.loader = loader;
        this.writer = writer;
        this.readThrough = readThrough && loader != null;
        this.writeThrough = writeThrough && writer != null;
    }

    /** @return the loader, or null */
    CacheLoader<K, V> loader() {
        return loader;
    }

    /** @return whether misses load through the loader */
    boolean readsThrough() {
        return readThrough;
    }

    /** @return whether changes go to the writer */
    boolean writesThrough() {
        return writeThrough;
    }

    /** @return the loaded value, or null */
    V load(K key) {
        try {
            return loader.load(key);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("cache loader of '" + cacheName + "' failed for " + key, e);
        }
    }

    Map<K, V> loadAll(Iterable<K> keys) {
        try {
            return loader.loadAll(keys);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("cache loader of '" + cacheName + "' failed", e);
        }
    }

    /** Writes one entry, if write-through is on. */
    void write(K key, V value) {
        if (!writeThrough) {
            return;
        }
        try {
            writer.write(new SimpleEntry<>(key, value));
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("cache writer of '" + cacheName + "' failed for " + key, e);
        }
    }

    /** Deletes one key, if write-through is on. */
    void delete(K key) {
        if (!writeThrough) {
            return;
        }
        try {
            writer.delete(key);
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("cache writer of '" + cacheName + "' failed to delete " + key, e);
        }
    }

    /**
     * Writes a batch, if write-through is on. On failure the entries the writer left in {@code batch} were not
     * written.
     *
     * @return the failure, or null
     */
    CacheWriterException writeAll(Collection<Cache.Entry<? extends K, ? extends V>> batch) {
        if (!writeThrough || batch.isEmpty()) {
            return null;
        }
        try {
            writer.writeAll(batch);
            return null;
        } catch (Exception e) {
            return e instanceof CacheWriterException cwe ? cwe
                    : new CacheWriterException("cache writer of '" + cacheName + "' failed", e);
        }
    }

    /**
     * Deletes a batch of keys, if write-through is on. On failure the keys the writer left in {@code batch} were not
     * deleted.
     *
     * @return the failure, or null
     */
    CacheWriterException deleteAll(Collection<K> batch) {
        if (!writeThrough || batch.isEmpty()) {
            return null;
        }
        try {
            writer.deleteAll(batch);
            return null;
        } catch (Exception e) {
            return e instanceof CacheWriterException cwe ? cwe
                    : new CacheWriterException("cache writer of '" + cacheName + "' failed", e);
        }
    }

    /** Closes the loader and writer if they are {@link AutoCloseable}. */
    void close() {
        PersistCache.closeQuietly(loader);
        PersistCache.closeQuietly(writer);
    }
}
