package dev.persist.store;

/**
 * A value codec whose {@link #decode} is cheap and leaves the real decoding for later: it returns an
 * <em>unsettled</em> value (the bytes, say), and {@link #settle} decodes it when first needed. A restart then costs a
 * replay of the log, not a deserialization per entry.
 *
 * <p>The store owns what follows from it: a map with such a codec settles its adopted entries in a background pass
 * after registration (one store-wide thread), and {@link PersistMap#settled} settles an entry on demand. A value
 * that turns out not to decode is dropped in one place: it leaves memory, a delete record is logged (so the next
 * restart does not meet it again), it is counted in {@link StoreStats#undecodableRecords()} and logged.
 *
 * @param <V> value type
 */
public interface DeferredCodec<V> extends Codec<V> {
    /**
     * @param value a value as held in memory
     * @return false if it was read back from the log and not yet settled
     */
    boolean isSettled(V value);

    /**
     * Decodes an unsettled value completely.
     *
     * @param value an unsettled value
     * @return its settled form
     * @throws RuntimeException if it does not decode (the store then drops it)
     */
    V settle(V value);

    /**
     * Whether an encoded value is <em>plain</em>: one whose {@link #plainStandIn() stand-in} tells a
     * {@link PersistMap#updateBlind blind update} everything it needs to know of the value. A disk-backed map keeps
     * this one bit per key in its index (and its index file), so a blind update of a plain key that memory does not
     * hold reads no record back. The default: no value is plain.
     *
     * @param encoded the value as {@link #encode} wrote it, from its position to its limit; read it, do not keep it
     * @return whether the value is plain
     */
    default boolean isPlain(java.nio.ByteBuffer encoded) {
        return false;
    }

    /**
     * What a {@link PersistMap#updateBlind blind update} sees in place of a plain value it did not read: the same
     * for every plain value. Called only if {@link #isPlain} can return true.
     *
     * @return the stand-in
     */
    default V plainStandIn() {
        throw new UnsupportedOperationException(getClass().getName() + " marks no value plain");
    }
}
