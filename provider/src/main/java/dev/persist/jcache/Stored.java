package dev.persist.jcache;

/**
 * What a cache keeps per entry, in Caffeine and in the log: the value in its stored form and the time it expires.
 * The expiry time is part of the logged value, so an entry that expired before a restart is still expired after it.
 *
 * <p>The stored form, in store-by-value caches, is the encoded value ({@code byte[]}), which makes every read a copy
 * as JSR-107 requires, or the value itself if it is immutable (a string, a boxed number, a deeply immutable record:
 * sharing it is as good as a copy, and reads need no decoding); in store-by-reference caches it is the application's
 * own object.
 *
 * <p>An entry read back from the log at restart starts <em>unsettled</em> ({@link #isSettled()} false): its payload
 * is the bytes as the log holds them, not yet decoded. The cache settles it on the first read that meets it, or in
 * the store's background pass that starts when the cache is created: decoded once, then held as the object if
 * immutable, else as its bytes; a value that no longer decodes is dropped then (see
 * {@link dev.persist.store.DeferredCodec}).
 */
public sealed class Stored permits Stored.Unsettled {
    /** The expiry time of an entry that never expires. */
    public static final long ETERNAL = Long.MAX_VALUE;

    /**
     * An entry that never expires, whose value was not read: what a blind write sees of a disk-resident entry it
     * replaces without reading it (see {@link StoredCodec#isPlain}). Its payload is no value of the cache's: check
     * {@link #isRead()} before decoding one.
     */
    static final Stored UNREAD_ETERNAL = new Stored(new Object() {
        @Override
        public String toString() {
            return "(value not read)";
        }
    }, ETERNAL);

    final Object payload;
    final long expiresAt;

    Stored(Object payload, long expiresAt) {
        this.payload = payload;
        this.expiresAt = expiresAt;
    }

    /** @return the value as held: its encoded bytes (store-by-value) or the object itself (an immutable value, or
     *          store-by-reference) */
    public Object payload() {
        return payload;
    }

    /** @return when the entry expires, in epoch milliseconds; {@link Long#MAX_VALUE} for never */
    public long expiresAt() {
        return expiresAt;
    }

    /**
     * @return false for an entry read back from the log whose bytes have not been decoded yet (so it is not yet known
     *         to decode), true otherwise
     */
    public boolean isSettled() {
        return true;
    }

    /** @return false for {@link #UNREAD_ETERNAL}, whose payload is not the entry's value */
    boolean isRead() {
        return this != UNREAD_ETERNAL;
    }

    /** @return whether the entry is expired at {@code now} (epoch millis) */
    boolean expiredAt(long now) {
        return expiresAt <= now;
    }

    /** @return whether the entry is live at the clock's time; reads the clock only for entries that can expire */
    boolean isLive(java.time.Clock clock) {
        return expiresAt == ETERNAL || expiresAt > clock.millis();
    }

    /**
     * Whether a later look at a key finds the entry an earlier one found, so that what was decided on it (it expired,
     * its access expiry moves) still holds. The same object, or else the same expiry time and an equal value: a cache
     * with {@code disk} decodes a new copy each time it reads an entry beyond its memory front, and the front may drop
     * the entry between the two looks.
     */
    static boolean sameEntry(Stored now, Stored before) {
        if (now == before) {
            return true;
        }
        if (now == null || before == null || now.expiresAt != before.expiresAt) {
            return false;
        }
        return now.payload instanceof byte[] a && before.payload instanceof byte[] b
                ? java.util.Arrays.equals(a, b) : java.util.Objects.equals(now.payload, before.payload);
    }

    Stored withExpiry(long newExpiresAt) {
        return new Stored(payload, newExpiresAt);
    }

    /** An entry read back from the log: its payload is the value's bytes, not yet decoded. */
    static final class Unsettled extends Stored {
        Unsettled(byte[] payload, long expiresAt) {
            super(payload, expiresAt);
        }

        byte[] bytes() {
            return (byte[]) payload;
        }

        /**
         * @param decoded this entry's value, decoded from its bytes
         * @return the settled form: the value itself if immutable, else the same bytes
         */
        Stored settledWith(Object decoded) {
            return new Stored(Form.isImmutable(decoded) ? decoded : payload, expiresAt);
        }

        @Override
        public boolean isSettled() {
            return false;
        }

        @Override
        Stored withExpiry(long newExpiresAt) {
            return new Unsettled(bytes(), newExpiresAt);
        }
    }
}
