package dev.persist.jcache.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the top-level {@code cluster} setting and a cache's {@code cluster} mode, with {@link ConfigParser}'s
 * rules: every unknown key and wrong value is an error naming the key.
 *
 * <pre>
 * cluster:
 *   kafka: { bootstrapServers: "kafka1:9092,kafka2:9092", topic: app-cache, security.protocol: SSL }
 *   mode: invalidate            # or replicate
 *   nodeId: app-1               # optional: default generated once, kept in the store
 *   connectTimeout: 30s
 *   catchUpTimeout: 5m
 *   replicatedTimeout: 30s
 * </pre>
 * Keys of {@code kafka} other than {@code bootstrapServers} and {@code topic} are Kafka client properties, passed as
 * they are; nested mappings are joined with dots ({@code security: { protocol: SSL }} is {@code security.protocol}),
 * which is also what a {@code Properties} override such as {@code cluster.kafka.security.protocol=SSL} makes.
 */
final class ClusterParser {
    private static final Duration DEFAULT_CONNECT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_CATCH_UP = Duration.ofMinutes(5);
    private static final Duration DEFAULT_REPLICATED = Duration.ofSeconds(30);

    private ClusterParser() {
    }

    static ClusterSettings parse(ConfigParser p, JsonNode node) {
        ObjectNode c = p.object(node, "cluster");
        p.allowOnly(c, "cluster", ConfigParser.CLUSTER_KEYS);
        if (!c.has("kafka")) {
            throw new ConfigException(p.source(), "cluster.kafka", "is required: { bootstrapServers: host:9092, "
                    + "topic: <a compacted topic> }");
        }
        ObjectNode k = p.object(c.get("kafka"), "cluster.kafka");
        String servers = required(p, k, "bootstrapServers");
        String topic = required(p, k, "topic");
        Map<String, String> client = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = k.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!ConfigParser.KAFKA_KEYS.contains(e.getKey())) {
                flatten(p, e.getKey(), e.getValue(), client);
            }
        }
        for (String reserved : new String[] {"bootstrap.servers", "key.serializer", "value.serializer",
                "key.deserializer", "value.deserializer", "enable.auto.commit", "group.id", "acks"}) {
            if (client.containsKey(reserved)) {
                throw new ConfigException(p.source(), "cluster.kafka." + reserved, "is set by the provider ("
                        + (reserved.equals("bootstrap.servers") ? "use cluster.kafka.bootstrapServers"
                        : reserved.equals("acks") ? "always all: an acknowledged change is on every in-sync replica"
                        : "records are bytes, offsets are kept in the store, no consumer group") + ")");
            }
        }
        ClusterMode mode = c.has("mode") ? mode(p, c.get("mode"), "cluster.mode", false) : ClusterMode.INVALIDATE;
        String nodeId = null;
        if (c.has("nodeId")) {
            nodeId = p.text(c.get("nodeId"), "cluster.nodeId").trim();
            if (nodeId.isEmpty() || nodeId.length() > 100) {
                throw new ConfigException(p.source(), "cluster.nodeId", "must be a non-empty string of at most 100 "
                        + "characters, unique in the cluster, got '" + nodeId + "'");
            }
        }
        return new ClusterSettings(servers, topic, client, mode, nodeId,
                c.has("connectTimeout") ? p.positiveDuration(c.get("connectTimeout"), "cluster.connectTimeout")
                        : DEFAULT_CONNECT,
                c.has("catchUpTimeout") ? p.positiveDuration(c.get("catchUpTimeout"), "cluster.catchUpTimeout")
                        : DEFAULT_CATCH_UP,
                c.has("replicatedTimeout")
                        ? p.positiveDuration(c.get("replicatedTimeout"), "cluster.replicatedTimeout")
                        : DEFAULT_REPLICATED);
    }

    /** A cache's {@code cluster}: invalidate, replicate or off. */
    static ClusterMode cacheMode(ConfigParser p, JsonNode node, String at) {
        return mode(p, node, at, true);
    }

    private static ClusterMode mode(ConfigParser p, JsonNode node, String at, boolean offAllowed) {
        // YAML 1.1 reads a bare off as false
        String s = node.isBoolean() && !node.asBoolean() ? "off"
                : node.isTextual() ? node.asText().trim().toLowerCase(Locale.ROOT) : "";
        return switch (s) {
            case "invalidate" -> ClusterMode.INVALIDATE;
            case "replicate" -> ClusterMode.REPLICATE;
            case "off" -> {
                if (!offAllowed) {
                    throw new ConfigException(p.source(), at, "must be invalidate or replicate (off is a per-cache "
                            + "setting; leave cluster out for a store of one node)");
                }
                yield ClusterMode.OFF;
            }
            default -> throw new ConfigException(p.source(), at, "must be one of invalidate, replicate"
                    + (offAllowed ? ", off" : "") + ", got " + (node.isTextual() ? "'" + node.asText() + "'" : node));
        };
    }

    private static String required(ConfigParser p, ObjectNode k, String key) {
        String at = "cluster.kafka." + key;
        if (!k.has(key)) {
            throw new ConfigException(p.source(), at, "is required");
        }
        String v = p.text(k.get(key), at).trim();
        if (v.isEmpty()) {
            throw new ConfigException(p.source(), at, "must not be empty");
        }
        return v;
    }

    /** A client property, or a mapping of them whose keys are joined to {@code prefix} with dots. */
    private static void flatten(ConfigParser p, String prefix, JsonNode value, Map<String, String> out) {
        if (value instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(p, prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (value.isValueNode() && !value.isNull()) {
            out.put(prefix, value.asText());
        } else {
            throw new ConfigException(p.source(), "cluster.kafka." + prefix, "must be a Kafka client property value "
                    + "(a string, number or boolean), got " + value);
        }
    }
}
