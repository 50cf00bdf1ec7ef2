package dev.persist.jcache;

import dev.persist.store.Codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The envelope a cache writes as a log value: 8 bytes of expiry time (epoch millis, big-endian;
 * {@link Long#MAX_VALUE} for never) followed by the value's bytes as the cache's value codec wrote them.
 *
 * <p>A payload held as an object (an immutable value, see {@link Form#encoded}) is encoded here, when the store
 * writes it; one held as bytes is written as it is.
 *
 * <p>Decoding also decodes the payload once, and throws if it no longer decodes (a class changed or vanished since
 * it was written): the store then drops the record at load, counts and logs it, instead of the application meeting
 * it on a later read. An immutable value is then held as the decoded object, anything else as its bytes.
 */
final class StoredCodec implements Codec<Stored> {
    private static final int HEADER = Long.BYTES;

    private final Codec<Object> valueCodec;

    @SuppressWarnings("unchecked")
    StoredCodec(Codec<?> valueCodec) {
        this.valueCodec = (Codec<Object>) valueCodec;
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
        byte[] payload = Arrays.copyOfRange(bytes, HEADER, bytes.length);
        Object decoded = valueCodec.decode(payload);
        return new Stored(Form.isImmutable(decoded) ? decoded : payload, expiresAt);
    }

    @Override
    public String toString() {
        return "envelope(" + valueCodec + ")";
    }
}
