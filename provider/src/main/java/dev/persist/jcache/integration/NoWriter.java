package dev.persist.jcache.integration;

import javax.cache.Cache;
import javax.cache.integration.CacheWriterException;
import java.util.Collection;

/** The writer of a cache without write-through: nothing to call. */
final class NoWriter implements Writer<Object, Object> {
    static final NoWriter INSTANCE = new NoWriter();

    private NoWriter() {
    }

    @Override
    public void write(Object key, Object value) {
        // no system of record
    }

    @Override
    public void delete(Object key) {
        // no system of record
    }

    @Override
    public CacheWriterException writeAll(Collection<Cache.Entry<?, ?>> batch) {
        return null;
    }

    @Override
    public CacheWriterException deleteAll(Collection<Object> batch) {
        return null;
    }

    @Override
    public boolean active() {
        return false;
    }

    @Override
    public void close() {
        // nothing open
    }
}
