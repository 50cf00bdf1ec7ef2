package dev.persist.jcache.codec;

import dev.persist.store.Codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Objects;

/**
 * Java serialization for {@link Serializable} keys and values of untyped caches (Hibernate's second-level cache,
 * Spring's caches of arbitrary objects).
 *
 * <p>The log file is data from disk, and deserializing untrusted bytes is how gadget-chain attacks work, so only the
 * classes of a {@link SerialAllowlist} are read: decoding runs behind its {@link ObjectInputFilter} (and resolves
 * classes through the cache manager's {@link ClassLoader}, so application classes load in containers). Encoding
 * checks every class it writes against the same filter, so a value that could not be read back is refused with an
 * {@link IllegalArgumentException} before anything is stored.
 *
 * @param <T> the type written
 */
public final class SerializationCodec<T> implements Codec<T> {
    /** System property holding a replacement filter pattern (see {@link SerialAllowlist}). */
    public static final String FILTER_PROPERTY = SerialAllowlist.FILTER_PROPERTY;

    private final ClassLoader classLoader;
    private final SerialAllowlist allowlist;
    /** Whether the filter allows a class, per class written: checking costs a walk over every pattern. */
    private final ClassValue<Boolean> allowed = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return allowlist.filter().checkInput(new ClassOnly(type)) != ObjectInputFilter.Status.REJECTED;
        }
    };

    /**
     * A codec of the default allowlist.
     *
     * @param classLoader resolves the classes of decoded objects
     */
    public SerializationCodec(ClassLoader classLoader) {
        this(classLoader, SerialAllowlist.defaults());
    }

    /**
     * @param classLoader resolves the classes of decoded objects
     * @param allowlist   the classes that may be written and read
     */
    public SerializationCodec(ClassLoader classLoader, SerialAllowlist allowlist) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.allowlist = Objects.requireNonNull(allowlist, "allowlist");
    }

    /** @return the classes this codec writes and reads */
    public SerialAllowlist allowlist() {
        return allowlist;
    }

    /**
     * Checks one class that the serialized form of a value names (for values a cache holds as they are and encodes
     * only later).
     *
     * @param type a class
     * @throws IllegalArgumentException naming the class and the setting that would allow it, if it is refused
     */
    public void requireAllowed(Class<?> type) {
        if (!allowed.get(type)) {
            throw new IllegalArgumentException(allowlist.refusal(type));
        }
    }

    @Override
    public byte[] encode(T value) {
        if (!(value instanceof Serializable)) {
            throw new IllegalArgumentException("a " + value.getClass().getName()
                    + " is not Serializable and cannot be stored by value");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        CheckingObjectOutputStream out = null;
        try (CheckingObjectOutputStream o = new CheckingObjectOutputStream(bytes)) {
            out = o;
            o.writeObject(value);
        } catch (IOException e) {
            if (out != null) {
                out.throwIfRefused(e);
            }
            if (e instanceof NotSerializableException) {
                throw new IllegalArgumentException("a " + value.getClass().getName()
                        + " holds a non-serializable " + e.getMessage(), e);
            }
            throw new IllegalArgumentException("cannot serialize a " + value.getClass().getName() + ": " + e, e);
        }
        out.throwIfRefused(null);
        return bytes.toByteArray();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T decode(byte[] bytes) {
        RecordingFilter filter = new RecordingFilter(allowlist.filter());
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), classLoader)) {
            in.setObjectInputFilter(filter);
            return (T) in.readObject();
        } catch (InvalidClassException e) {
            if (filter.rejected != null) {
                throw new IllegalArgumentException("cannot deserialize: " + filter.why(), e);
            }
            throw new IllegalArgumentException("cannot deserialize: " + e, e);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException("cannot deserialize: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "serializable";
    }

    /**
     * Notes, as it writes them, the classes the filter would refuse to read. The first one is reported once writing
     * is over, not thrown from {@link #annotateClass}: when writing fails with an {@code IOException} (a value holding
     * a non-serializable object), {@code ObjectOutputStream} writes that exception into the stream, and its classes
     * ({@code java.io.NotSerializableException}, ...) must not hide the real failure.
     */
    private final class CheckingObjectOutputStream extends ObjectOutputStream {
        private Class<?> refused;

        CheckingObjectOutputStream(OutputStream out) throws IOException {
            super(out);
        }

        @Override
        protected void annotateClass(Class<?> cl) {
            check(cl);
        }

        @Override
        protected void annotateProxyClass(Class<?> cl) {
            // as reading does: the proxy class and its interfaces (then its superclass java.lang.reflect.Proxy)
            check(cl);
            for (Class<?> i : cl.getInterfaces()) {
                check(i);
            }
        }

        private void check(Class<?> cl) {
            if (refused == null && !allowed.get(cl)) {
                refused = cl;
            }
        }

        /**
         * @param failure the exception writing ended with, or null
         * @throws IllegalArgumentException if a class was refused, other than that of {@code failure} written into
         *                                  the stream by {@code ObjectOutputStream}
         */
        void throwIfRefused(IOException failure) {
            if (refused != null && (failure == null || !refused.isInstance(failure))) {
                throw new IllegalArgumentException(allowlist.refusal(refused));
            }
        }
    }

    /** What the filter is asked at encode time: one class, no stream position or limits. */
    private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 0;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }

    /** Delegates to the filter and remembers what it refused, for a message naming the class or the limit. */
    private final class RecordingFilter implements ObjectInputFilter {
        private final ObjectInputFilter filter;
        private FilterInfo rejected;

        RecordingFilter(ObjectInputFilter filter) {
            this.filter = filter;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            Status s = filter.checkInput(info);
            if (s == Status.REJECTED && rejected == null) {
                rejected = info;
            }
            return s;
        }

        String why() {
            Class<?> c = rejected.serialClass();
            if (c != null && !allowed.get(c)) {
                return allowlist.refusal(c);
            }
            return "a limit of the serialization filter is exceeded (" + allowlist.limits() + "; at depth " + rejected.depth()
                    + ", " + rejected.references() + " references, " + rejected.streamBytes() + " bytes"
                    + (rejected.arrayLength() >= 0 ? ", an array of " + rejected.arrayLength() : "") + ")";
        }
    }

    /** Resolves classes through a given loader first, so classes of the application are found. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
