package dev.persist.jcache.integration;

import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import java.util.Map;

/**
 * A cache's {@link CacheLoader}, with failures wrapped in {@link CacheLoaderException} as JSR-107 says.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class Loader<K, V> implements AutoCloseable {
    private final String cacheName;
    private final CacheLoader<K, V> loader;
    private final boolean readThrough;

    /**
     * @param cacheName   for messages
     * @param loader      the application's loader, or null
     * @param readThrough whether a miss loads
     */
    public Loader(String cacheName, CacheLoader<K, V> loader, boolean readThrough) {
        this.cacheName = cacheName;
        this.loader = loader;
        this.readThrough = readThrough && loader != null;
    }

    /** @return the application's loader, or null */
    public CacheLoader<K, V> loader() {
        return loader;
    }

    /** @return whether a miss loads */
    public boolean readsThrough() {
        return readThrough;
    }

    /**
     * @param key the key
     * @return the loaded value, or null
     */
    public V load(K key) {
        try {
            return loader.load(key);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("cache loader of '" + cacheName + "' failed for " + key, e);
        }
    }

    /**
     * @param keys the keys
     * @return what the loader found
     */
    public Map<K, V> loadAll(Iterable<K> keys) {
        try {
            return loader.loadAll(keys);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("cache loader of '" + cacheName + "' failed", e);
        }
    }

    @Override
    public void close() {
        Closing.quietly(loader);
    }
}
