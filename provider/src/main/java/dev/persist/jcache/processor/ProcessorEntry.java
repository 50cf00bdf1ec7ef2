package dev.persist.jcache.processor;

import javax.cache.integration.CacheLoader;
import javax.cache.processor.MutableEntry;
import java.util.Objects;
import java.util.function.Function;

/**
 * The entry an {@link javax.cache.processor.EntryProcessor} works on: it records what the processor did (read,
 * create, update, remove, or a value loaded through read-through) so that the cache can apply that one change
 * atomically, with the matching writer call, event and statistics.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ProcessorEntry<K, V> implements MutableEntry<K, V> {
    /** The net effect of the processor. */
    public enum Op { NONE, ACCESS, CREATE, LOAD, UPDATE, REMOVE }

    private final K key;
    private final boolean existed;
    private final CacheLoader<K, V> loader;
    private final Function<K, V> load;
    private V value;
    private Op op = Op.NONE;

    /**
     * @param key      the key
     * @param current  the live value, or null
     * @param loader   the read-through loader, or null
     * @param load     calls the loader (wrapping its failures)
     */
    public ProcessorEntry(K key, V current, CacheLoader<K, V> loader, Function<K, V> load) {
        this.key = key;
        this.value = current;
        this.existed = current != null;
        this.loader = loader;
        this.load = load;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        if (value != null) {
            if (op == Op.NONE) {
                op = Op.ACCESS;
            }
            return value;
        }
        if (op == Op.NONE && !existed && loader != null) {
            V loaded = load.apply(key);
            if (loaded != null) {
                value = loaded;
                op = Op.LOAD;
            }
        }
        return value;
    }

    @Override
    public boolean exists() {
        return value != null;
    }

    @Override
    public void remove() {
        value = null;
        // a remove of an entry this processor created cancels the creation; any other remove reaches the writer,
        // even of an absent entry (the backend may hold it)
        op = (op == Op.CREATE || op == Op.LOAD) ? Op.NONE : Op.REMOVE;
    }

    @Override
    public void setValue(V newValue) {
        Objects.requireNonNull(newValue, "value");
        value = newValue;
        op = existed ? Op.UPDATE : Op.CREATE;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("cannot unwrap a mutable entry to " + clazz.getName());
    }

    public boolean existed() {
        return existed;
    }

    public Op op() {
        return op;
    }

    public V value() {
        return value;
    }
}
