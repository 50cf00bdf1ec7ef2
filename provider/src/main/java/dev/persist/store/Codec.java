package dev.persist.store;

/**
 * Turns keys or values into the bytes of a log record and back.
 *
 * <p>{@link #encode} must throw (an {@link IllegalArgumentException} or {@link ClassCastException}) for a value
 * it cannot write; the store then writes nothing. {@link #decode} throws for bytes it cannot read; at open,
 * such records are dropped, counted in {@link StoreStats#undecodableRecords()} and logged.
 *
 * @param <T> the type encoded
 */
public interface Codec<T> {
    /**
     * @param value never null
     * @return the bytes to write
     */
    byte[] encode(T value);

    /**
     * @param bytes what {@link #encode} wrote, perhaps by an earlier version of the application
     * @return the value
     */
    T decode(byte[] bytes);
}
