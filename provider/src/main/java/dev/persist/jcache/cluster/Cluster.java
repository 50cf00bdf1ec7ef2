package dev.persist.jcache.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * This node's membership in a cluster: where clustered caches publish their changes, and the follower of the topic
 * that applies everyone's. Kafka-free, so that a manager without {@code cluster} never loads Kafka's classes.
 */
public interface Cluster extends AutoCloseable {
    /** @return this node's id, carried by every change it publishes */
    String nodeId();

    /**
     * Publishes one change; completes when Kafka acknowledged it (acks=all) or failed.
     *
     * @param kafkaKey the change's key ({@link ChangeKeys#encode})
     * @param value    the value, empty for an invalidation, or null for a removal (tombstone)
     * @param seq      the change's sequence number in its cache
     * @return the acknowledgement
     */
    CompletableFuture<Void> send(byte[] kafkaKey, byte[] value, long seq);

    /**
     * Starts applying the topic's changes of {@code member}'s cache and waits until it applied everything the topic
     * held when it joined: a cache does not serve before it caught up with what it missed.
     *
     * @param member the cache
     * @throws javax.cache.CacheException if it did not catch up within {@code cluster.catchUpTimeout}
     */
    void join(ClusterMember member);

    /**
     * Stops applying changes to {@code member}'s cache (closing): returns once no change is being applied to it.
     *
     * @param member the cache
     */
    void leave(ClusterMember member);

    /** Stops following the topic (the manager closes; its caches publish what they owe after this). */
    void stopFollowing();

    /** Closes the producer; what is not published stays owed in the log, for the next start. */
    @Override
    void close();
}
