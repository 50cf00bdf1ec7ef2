package dev.persist.jcache.cluster;

import dev.persist.store.Codec;

import java.nio.ByteBuffer;

/**
 * The topic offset a clustered cache applied last for one key, kept in the cache's companion namespace
 * ({@link dev.persist.jcache.CacheNamespaces#clusterAppliedNamespaceOf}) and set in the key's atomic section with the
 * change it applied: after a crash, the log holds a change applied from the topic exactly when it holds its offset,
 * so the node resumes after the last offset it holds, per partition.
 *
 * @param partition the topic partition
 * @param offset    the offset applied
 */
public record AppliedOffset(int partition, long offset) {
    /** The log form: partition (4 bytes) and offset (8 bytes), big-endian. */
    public static final Codec<AppliedOffset> CODEC = new Codec<>() {
        @Override
        public byte[] encode(AppliedOffset value) {
            return ByteBuffer.allocate(12).putInt(value.partition).putLong(value.offset).array();
        }

        @Override
        public AppliedOffset decode(byte[] bytes) {
            if (bytes.length != 12) {
                throw new IllegalArgumentException("not an applied offset (" + bytes.length + " bytes)");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            return new AppliedOffset(b.getInt(), b.getLong());
        }

        @Override
        public String toString() {
            return "appliedOffset";
        }
    };
}
