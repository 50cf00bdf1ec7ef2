package dev.persist.jcache;

import dev.persist.jcache.codec.SerializationCodec;
import dev.persist.store.Codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.List;
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
     * out are the copies JSR-107 requires. An immutable value is encoded only when the store writes it, so the
     * classes it would be written with are checked here against the serialization allowlist: a value that could not
     * be read back is refused before anything changes, as one the codec cannot encode.
     */
    static <T> Form<T> encoded(Codec<T> codec) {
        return new Form<>() {
            @Override
            public Object in(T value) {
                if (isImmutable(value)) {
                    SerialClasses.requireAllowed(codec, value);
                    return value;
                }
                return codec.encode(value);
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
                if (isImmutable(value)) {
                    SerialClasses.requireAllowed(codec, value);
                    return value;
                }
                return codec.decode(codec.encode(value));
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

    /**
     * The classes whose descriptors Java serialization writes for an immutable value (see {@link #isImmutable}):
     * none for a {@code String}; the enum class and {@code java.lang.Enum} for an enum constant; the record class and
     * those of its component types (whether or not a component is null) for a record; the class and its
     * serializable superclasses (and {@code BigInteger} for {@code BigDecimal}) for the other JDK value classes.
     */
    final class SerialClasses {
        static final ClassValue<List<Class<?>>> OF = new ClassValue<>() {
            @Override
            protected List<Class<?>> computeValue(Class<?> type) {
                LinkedHashSet<Class<?>> out = new LinkedHashSet<>();
                add(type, out, 0);
                return List.copyOf(out);
            }
        };

        private SerialClasses() {
        }

        /** Checks the classes of immutable {@code value} if {@code codec} is Java serialization. */
        static void requireAllowed(Codec<?> codec, Object value) {
            if (codec instanceof SerializationCodec<?> serialization) {
                for (Class<?> c : OF.get(value.getClass())) {
                    serialization.requireAllowed(c);
                }
            }
        }

        private static void add(Class<?> type, Set<Class<?>> out, int depth) {
            if (type.isPrimitive() || type == String.class || depth > 8) {
                return;
            }
            if (Enum.class.isAssignableFrom(type)) {
                out.add(type.isEnum() ? type : type.getSuperclass());
                out.add(Enum.class);
            } else if (type.isRecord()) {
                out.add(type);
                for (java.lang.reflect.RecordComponent rc : type.getRecordComponents()) {
                    add(rc.getType(), out, depth + 1);
                }
            } else {
                for (Class<?> c = type; c != null && java.io.Serializable.class.isAssignableFrom(c);
                     c = c.getSuperclass()) {
                    out.add(c);
                }
                if (type == BigDecimal.class) {
                    add(BigInteger.class, out, depth + 1);
                }
            }
        }
    }
}
