package dev.persist.jcache.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The top-level {@code cluster} setting: the store's caches are kept coherent with the other nodes that name the same
 * Kafka topic (see docs/cluster.md). One topic per store; each cache's mode is {@link #mode} unless the cache sets
 * its own {@code cluster}.
 *
 * @param bootstrapServers  {@code cluster.kafka.bootstrapServers}: the Kafka brokers to connect to
 * @param topic             {@code cluster.kafka.topic}: the compacted topic every node of the cluster shares
 * @param clientProperties  every other key under {@code cluster.kafka}: Kafka client properties passed to the
 *                          producer and the consumer as they are ({@code security.protocol}, {@code sasl.*},
 *                          {@code ssl.*}, ...)
 * @param mode              {@code cluster.mode}: the mode of every cache without its own ({@link ClusterMode#OFF} is
 *                          not allowed here)
 * @param nodeId            {@code cluster.nodeId}: this node's id in the records it publishes, or null for one
 *                          generated once and kept in the store
 * @param connectTimeout    {@code cluster.connectTimeout}: how long opening the manager waits for the brokers
 * @param catchUpTimeout    {@code cluster.catchUpTimeout}: how long opening a cache waits to apply what the topic
 *                          holds that this node has not applied yet (a node does not serve before it caught up)
 * @param replicatedTimeout {@code cluster.replicatedTimeout}: how long an operation of a cache at durability
 *                          {@code replicated} waits for Kafka's acknowledgement before it fails
 */
public record ClusterSettings(String bootstrapServers, String topic, Map<String, String> clientProperties,
                              ClusterMode mode, String nodeId, Duration connectTimeout, Duration catchUpTimeout,
                              Duration replicatedTimeout) {
    /** Checks required fields and copies the client properties. */
    public ClusterSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
        Objects.requireNonNull(replicatedTimeout, "replicatedTimeout");
        if (mode == ClusterMode.OFF) {
            throw new IllegalArgumentException("cluster.mode must be invalidate or replicate");
        }
        clientProperties = Map.copyOf(clientProperties);
    }

    /**
     * @param cache the cache's settings
     * @return the cache's mode: its own {@code cluster}, else {@link #mode}
     */
    public ClusterMode modeOf(CacheSettings cache) {
        return cache.clusterMode() != null ? cache.clusterMode() : mode;
    }
}
