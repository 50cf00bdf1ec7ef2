package dev.persist.jcache.cluster;

import java.util.Map;

/**
 * A clustered cache as the node that follows the topic sees it: it applies the changes of its name, in topic order,
 * each in the key's atomic section together with the record of the offset applied.
 */
public interface ClusterMember {
    /** @return the cache's name (the first part of each of its changes' Kafka key) */
    String cacheName();

    /**
     * Reads back what this cache applied before (after a restart, a kill -9, or while it was not open).
     *
     * @return per partition, the offset of the first change not applied yet; a partition missing has applied nothing
     */
    Map<Integer, Long> appliedOffsets();

    /**
     * Applies one change of the topic (in topic order per partition), and records its offset in the same atomic
     * section as the change.
     *
     * @param change the change
     */
    void apply(Incoming change);

    /**
     * Drops every entry and every applied offset of the cache: what it applied can no longer be continued (the
     * topic's retention removed changes it never applied, or the topic is not the one it followed); it is rebuilt
     * from the topic's beginning.
     */
    void rebuild();
}
