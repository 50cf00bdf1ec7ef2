package dev.persist.jcache.cluster;

/**
 * One change read from the topic, for one cache.
 *
 * @param partition the topic partition it was read from
 * @param offset    its offset there
 * @param key       the key's bytes (the cache's key codec)
 * @param value     the value as the origin's cache envelope holds it (expiry time and value bytes); null for a
 *                  removal (a tombstone), empty for an invalidation without value
 * @param own       whether this node published it
 * @param seq       the origin's sequence number of the change (see {@link dev.persist.jcache.integration.Owed#seq})
 */
public record Incoming(int partition, long offset, byte[] key, byte[] value, boolean own, long seq) {
}
