package dev.persist.jcache.config;

/**
 * What a node does with a change another node published to the cluster's topic (see docs/cluster.md).
 */
public enum ClusterMode {
    /** Removes this node's copy of the key: the next read misses and loads (read-through) or is filled by the
     *  application. Only the fact that the key changed travels; values stay where they were written. */
    INVALIDATE,
    /** Stores the new value (or removes the key): every node holds every entry. */
    REPLICATE,
    /** The cache is not clustered: its changes stay on this node (a per-cache override only). */
    OFF
}
