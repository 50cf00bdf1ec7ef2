package dev.persist.jcache;

import dev.persist.store.Codec;
import dev.persist.store.DeferredCodec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The envelope a cache writes as a log value: 8 bytes of expiry time (epoch millis, big-endian;
 * {@link Long#MAX_VALUE} for never) followed by the value's bytes as the cache's value codec wrote them.
 *
 * <p>A payload held as an object (an immutable value, see {@link Form#encoded}) is encoded here, when the store
 * writes it; one held as bytes is written as it is.
 *
 * <p>Decoding reads the expiry time and keeps the value's bytes as they are, {@link Stored.Unsettled unsettled}:
 * decoding every value at load would make a restart cost a deserialization per entry before the cache is ready. The
 * store settles them later ({@link DeferredCodec}): decoded once, then held as the object if immutable, else as the
 * same bytes; a value that does not decode is dropped there.
 *
 * <p>An entry that never expires is <em>plain</em> ({@link #isPlain}): a disk cache's index remembers that, so a put
 * with no listener to tell (see {@link Mutations#applyBlind}) replaces such an entry without reading it back from
 * disk. Its stand-in, {@link Stored#UNREAD_ETERNAL}, has the expiry time and no value.
 */
final class StoredCodec implements DeferredCodec<Stored> {
    private static final int HEADER = Long.BYTES;

    private final Codec<Object> valueCodec;
    private final Form<?> values;

    @SuppressWarnings("unchecked")
    StoredCodec(Codec<?> valueCodec, Form<?> values) {
        this.valueCodec = (Codec<Object>) valueCodec;
        this.values = values;
    }

    @Override
    public byte[] encode(Stored value) {
        byte[] payload = value.payload instanceof byte[] b ? b : valueCodec.encode(value.payload);
        return ByteBuffer.allocate(HEADER + payload.length).putLong(value.expiresAt).put(payload).array();
    }

    @Override
    public Stored decode(byte[] bytes) {
        if (bytes.length < HEADER) {
            throw new IllegalArgumentException("stored value of " + bytes.length + " bytes has no expiry header");
        }
        long expiresAt = ByteBuffer.wrap(bytes, 0, HEADER).getLong();
        return new Stored.Unsettled(Arrays.copyOfRange(bytes, HEADER, bytes.length), expiresAt);
    }

    @Override
    public boolean isSettled(Stored value) {
        return value.isSettled();
    }

    @Override
    public Stored settle(Stored value) {
        Stored.Unsettled unsettled = (Stored.Unsettled) value;
        Object decoded = values.out(unsettled.bytes());
        if (decoded == null) {
            throw new IllegalArgumentException("the value codec decoded null");
        }
        return unsettled.settledWith(decoded);
    }

    /** Plain: an entry that never expires. A blind put of one needs to know no more than that it exists. */
    @Override
    public boolean isPlain(ByteBuffer encoded) {
        return encoded.remaining() >= HEADER && encoded.getLong(encoded.position()) == Stored.ETERNAL;
    }

    @Override
    public Stored plainStandIn() {
        return Stored.UNREAD_ETERNAL;
    }

    @Override
    public String toString() {
        return "envelope(" + valueCodec + ")";
    }
}
