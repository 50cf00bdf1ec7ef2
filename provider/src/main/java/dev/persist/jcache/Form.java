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

    /**
     * Store-by-value values: immutable values (strings, boxed numbers, ...) are held as they are, since sharing
     * them is as good as copying; other values are held encoded, so encoding on the way in and decoding on the way
     * out are the copies JSR-107 requires.
     */
    static <T> Form<T> encoded(Codec<T> codec) {
        return new Form<>() {
            @Override
            public Object in(T value) {
                return isImmutable(value) ? value : codec.encode(value);
            }

            @Override
            @SuppressWarnings("unchecked")
            public T out(Object held) {
                return held instanceof byte[] bytes ? codec.decode(bytes) : (T) held;
            }
        };
    }

    /**
     * Keys held as copies (they must keep their own equals and hashCode for the map): immutable JDK types are
     * shared, other keys are copied through the codec, which also proves that they can be written.
     */
    static <T> Form<T> copiedKeys(Codec<T> codec) {
        return new Form<>() {
            @Override
            public Object in(T value) {
                return isImmutable(value) ? value : codec.decode(codec.encode(value));
            }

            @Override
            @SuppressWarnings("unchecked")
            public T out(Object held) {
                return isImmutable(held) ? (T) held : codec.decode(codec.encode((T) held));
            }
        };
    }

    /** JDK value classes whose instances cannot change: sharing one is as good as a copy. */
    Set<Class<?>> IMMUTABLE = Set.of(String.class, Integer.class, Long.class, Short.class, Byte.class,
            Character.class, Boolean.class, Double.class, Float.class, BigInteger.class, BigDecimal.class,
            UUID.class);

    /** @return whether {@code o} is of an immutable JDK value class, an enum, or a deeply immutable record */
    static boolean isImmutable(Object o) {
        Class<?> c = o.getClass();
        return c == String.class || IMMUTABLE.contains(c) || o instanceof Enum<?>
                || (c.isRecord() && ImmutableRecords.IS.get(c));
    }

    /**
     * Records whose state cannot change: a {@code Serializable} record (so the default codec can always write it, as
     * a string) whose components are all primitives, final immutable JDK classes ({@code String}, boxed primitives,
     * {@code UUID}), enums, or records of this kind. Their fields are final, so sharing an instance is as good as a
     * copy, and store-by-value reads of such values need no decoding.
     */
    final class ImmutableRecords {
        static final ClassValue<Boolean> IS = new ClassValue<>() {
            @Override
            protected Boolean computeValue(Class<?> type) {
                return deeplyImmutable(type, 0);
            }
        };

        private ImmutableRecords() {
        }

        private static boolean deeplyImmutable(Class<?> record, int depth) {
            if (!record.isRecord() || !java.io.Serializable.class.isAssignableFrom(record) || depth > 8) {
                return false;
            }
            for (java.lang.reflect.RecordComponent rc : record.getRecordComponents()) {
                Class<?> t = rc.getType();
                boolean ok = t.isPrimitive() || t.isEnum()
                        || (IMMUTABLE.contains(t) && java.lang.reflect.Modifier.isFinal(t.getModifiers()))
                        || (t.isRecord() && deeplyImmutable(t, depth + 1));
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }
}
