package dev.persist.jcache.integration;

import dev.persist.jcache.Stored;
import dev.persist.store.Codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The log form of an {@link Owed}: the sequence number and the time (8 bytes each, big-endian), one byte saying
 * whether a value follows (1) or the key is owed a delete (0), then the value in the cache's own envelope. Written
 * with the value so that a pending put survives the entry's eviction or expiry from the cache, which are not writer
 * deletes: the deliverer never needs the cache's entry.
 */
final class OwedCodec implements Codec<Owed> {
    private static final int HEADER = 2 * Long.BYTES + 1;
    private final Codec<Stored> values;

    /** @param values the cache's envelope codec */
    OwedCodec(Codec<Stored> values) {
        this.values = values;
    }

    @Override
    public byte[] encode(Owed owed) {
        byte[] state = owed.state() == null ? new byte[0] : values.encode(owed.state());
        return ByteBuffer.allocate(HEADER + state.length).putLong(owed.seq()).putLong(owed.since())
                .put((byte) (owed.state() == null ? 0 : 1)).put(state).array();
    }

    @Override
    public Owed decode(byte[] bytes) {
        if (bytes.length < HEADER || bytes[2 * Long.BYTES] > 1 || bytes[2 * Long.BYTES] < 0
                || (bytes[2 * Long.BYTES] == 0 && bytes.length != HEADER)) {
            throw new IllegalArgumentException("not a write-behind record (" + bytes.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long seq = b.getLong();
        long since = b.getLong();
        Stored state = b.get() == 0 ? null : values.decode(Arrays.copyOfRange(bytes, HEADER, bytes.length));
        return new Owed(seq, since, state);
    }

    @Override
    public String toString() {
        return "owed(" + values + ")";
    }
}
