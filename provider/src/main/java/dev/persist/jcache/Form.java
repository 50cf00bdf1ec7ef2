package dev.persist.jcache;

import dev.persist.store.Codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Set;
import java.util.UUID;

/**
 * Turns the application's keys or values into the form a cache holds, and back: copies for store-by-value,
 * the objects themselves for store-by-reference.
 *
 * @param <T> the application's type
 */
interface Form<T> {
    /** @return the held form of {@code value} */
    Object in(T value);

    /** @return the application's object for a held form */
    T out(Object held);

    /** The same object in and out: store-by-reference. */
    static <T> Form<T> reference() {
        return new Form<>() {
            @Override
            public Object in(T value) {
                return value;
            }

            @Override
            @SuppressWarnings("unchecked")
            public T out(Object held) {
                return (T) held;
            }
        };
    }

    /** Values held encoded: encoding on the way in and decoding on the way out are the copies. */
    static <T> Form<T> encoded(Codec<T> codec) {
        return new Form<>() {
            @Override
            public Object in(T value) {
                return codec.encode(value);
            }

            @Override
            public T out(Object held) {
                return codec.decode((byte[]) held);
            }
        };
    }

    /**
     * Keys held as copies (they must keep their own equals and hashCode for the map): immutable JDK types are
     * shared, other keys are copied through the codec, which also proves that they can be written.
     */
    static <T> Form<T> copiedKeys(Codec<T> codec) {
        Set<Class<?>> immutable = Set.of(String.class, Integer.class, Long.class, Short.class, Byte.class,
                Character.class, Boolean.class, Double.class, Float.class, BigInteger.class, BigDecimal.class,
                UUID.class);
        return new Form<>() {
            @Override
            public Object in(T value) {
                return immutable.contains(value.getClass()) || value instanceof Enum<?>
                        ? value : codec.decode(codec.encode(value));
            }

            @Override
            @SuppressWarnings("unchecked")
            public T out(Object held) {
                return immutable.contains(held.getClass()) || held instanceof Enum<?>
                        ? (T) held : codec.decode(codec.encode((T) held));
            }
        };
    }
}
