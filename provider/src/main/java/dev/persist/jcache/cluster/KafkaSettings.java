package dev.persist.jcache.cluster;

import dev.persist.jcache.config.ClusterSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;

/** The producer's and the consumer's properties: the user's client properties, then what the provider needs. */
final class KafkaSettings {
    private KafkaSettings() {
    }

    static Map<String, Object> producer(ClusterSettings s, String nodeId) {
        Map<String, Object> p = common(s);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "persist-jcache-" + nodeId + "-publish");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // every acknowledged change is on every in-sync replica (the durability tier replicated promises it), and
        // the idempotent producer keeps a key's changes in order across its own retries
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // a change waits for no batch to fill: propagation latency over throughput, unless the user says otherwise
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        return p;
    }

    static Map<String, Object> consumer(ClusterSettings s, String nodeId) {
        Map<String, Object> c = common(s);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "persist-jcache-" + nodeId + "-follow");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // offsets live in the node's own log, with the changes they applied: no consumer group, no commits, and no
        // silent jump to the latest offset (a gap is detected and the cache rebuilt)
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        return c;
    }

    private static Map<String, Object> common(ClusterSettings s) {
        Map<String, Object> m = new HashMap<>(s.clientProperties());
        m.put("bootstrap.servers", s.bootstrapServers());
        return m;
    }
}
