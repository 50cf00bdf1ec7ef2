package dev.persist.store;

import java.nio.charset.StandardCharsets;

/**
 * A live record of a namespace no {@link PersistMap} has registered; kept through shrinking and adopted by the
 * map that registers the namespace.
 *
 * @param namespace the namespace
 * @param key       the key's bytes as written
 * @param value     the value's bytes as written
 */
public record OrphanRecord(String namespace, byte[] key, byte[] value) {
    /** @return the key read as UTF-8 (how String keys are written) */
    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /**
     * @param codec the codec the value was written with
     * @param <V>   the value type
     * @return the decoded value
     */
    public <V> V value(Codec<V> codec) {
        return codec.decode(value);
    }
}
