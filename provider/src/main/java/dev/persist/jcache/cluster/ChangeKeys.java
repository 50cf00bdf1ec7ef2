package dev.persist.jcache.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Kafka key of a change: the cache's name and the key's bytes, so that the topic is partitioned by cache and key
 * and compaction keeps the last change of each key of each cache. Form: two bytes of the name's UTF-8 length
 * (big-endian), the name, then the key as the cache's key codec writes it.
 */
public final class ChangeKeys {
    private ChangeKeys() {
    }

    /**
     * @param cacheName the cache's name
     * @param key       the key's bytes
     * @return the Kafka key
     */
    public static byte[] encode(String cacheName, byte[] key) {
        byte[] name = cacheName.getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xFFFF) {
            throw new IllegalArgumentException("cache name of " + name.length + " bytes is too long for the topic");
        }
        return ByteBuffer.allocate(2 + name.length + key.length).putShort((short) name.length).put(name).put(key)
                .array();
    }

    /**
     * @param kafkaKey a Kafka key of {@link #encode}
     * @return the cache's name, or null if the bytes are not such a key
     */
    public static String cacheOf(byte[] kafkaKey) {
        if (kafkaKey == null || kafkaKey.length < 2) {
            return null;
        }
        int n = ((kafkaKey[0] & 0xFF) << 8) | (kafkaKey[1] & 0xFF);
        return kafkaKey.length < 2 + n ? null : new String(kafkaKey, 2, n, StandardCharsets.UTF_8);
    }

    /**
     * @param kafkaKey a Kafka key of {@link #encode} whose cache is known to be well formed
     * @return the key's bytes
     */
    public static byte[] keyOf(byte[] kafkaKey) {
        int n = ((kafkaKey[0] & 0xFF) << 8) | (kafkaKey[1] & 0xFF);
        return Arrays.copyOfRange(kafkaKey, 2 + n, kafkaKey.length);
    }
}
