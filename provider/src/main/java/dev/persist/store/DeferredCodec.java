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
}
