package dev.persist.cluster;

import dev.persist.jcache.cluster.ChangeKeys;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checker's truth: the topic read from its beginning to its end, each key's last change (what compaction keeps),
 * decoded for caches of String keys and values. Read with a consumer of its own, independent of the provider's.
 *
 * @param lastPerCache per cache, key to its last value (null for a removal)
 * @param raw          every record's Kafka key and value, in partition order
 */
record TopicView(Map<String, Map<String, String>> lastPerCache, List<byte[][]> raw) {
    static TopicView read(String bootstrap, String topic) {
        Map<String, Map<String, String>> last = new TreeMap<>();
        List<byte[][]> raw = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "key.deserializer", ByteArrayDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName(), "enable.auto.commit", "false"))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read topic " + topic + " to its end " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    raw.add(new byte[][] {r.key(), r.value()});
                    String cache = ChangeKeys.cacheOf(r.key());
                    if (cache == null) {
                        continue;
                    }
                    String key = new String(ChangeKeys.keyOf(r.key()), StandardCharsets.UTF_8);
                    last.computeIfAbsent(cache, x -> new TreeMap<>()).put(key, decode(r.value()));
                }
            }
        }
        return new TopicView(last, raw);
    }

    /** The envelope: 8 bytes of expiry time, then the UTF-8 value; an empty value is an invalidation. */
    private static String decode(byte[] value) {
        if (value == null) {
            return null;
        }
        if (value.length == 0) {
            return "<invalidated>";
        }
        return new String(Arrays.copyOfRange(value, 8, value.length), StandardCharsets.UTF_8);
    }

    /**
     * @param cache a cache's name
     * @return what a node replicating the cache must hold: each key whose last change left a value
     */
    Map<String, String> expected(String cache) {
        Map<String, String> out = new TreeMap<>();
        lastPerCache.getOrDefault(cache, Map.of()).forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }
}
