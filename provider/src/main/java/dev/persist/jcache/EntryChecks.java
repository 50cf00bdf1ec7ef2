package dev.persist.jcache;

import java.util.Objects;
import java.util.Set;

/**
 * The argument checks JSR-107 asks of a cache's operations: no null key, value or key set element, and keys and
 * values of the configured types ({@link ClassCastException} otherwise).
 *
 * @param <K> key type
 * @param <V> value type
 */
final class EntryChecks<K, V> {
    private final Class<K> keyType;
    private final Class<V> valueType;

    EntryChecks(Class<K> keyType, Class<V> valueType) {
        this.keyType = keyType;
        this.valueType = valueType;
    }

    void entry(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (keyType != Object.class && !keyType.isInstance(key)) {
            throw new ClassCastException("key " + key.getClass().getName() + " is not a " + keyType.getName());
        }
        valueType(value);
    }

    void valueType(V value) {
        if (valueType != Object.class && !valueType.isInstance(value)) {
            throw new ClassCastException("value " + value.getClass().getName() + " is not a " + valueType.getName());
        }
    }

    static void keys(Set<?> keySet) {
        Objects.requireNonNull(keySet, "keys");
        for (Object k : keySet) {
            Objects.requireNonNull(k, "keys contains null");
        }
    }
}
