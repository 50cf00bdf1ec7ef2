package dev.persist.jcache.codec;

import dev.persist.store.Codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
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
 * <p>Whoever can write the log file chooses the bytes, so decoding is also bounded by the record itself, beyond the
 * filter's absolute limits ({@link SerialAllowlist#LIMITS}):
 * <ul>
 *   <li><b>Allocation.</b> An array, and a JDK collection sizing the array it is about to fill ({@code ArrayList},
 *       {@code HashMap}, {@code HashSet}, ... tell the filter), cannot claim more elements than the record could
 *       hold: a {@code long} takes 8 bytes, any reference at least 1, a hash table slot an eighth (a table has up to
 *       8 slots per element at the smallest load factor). The claims of all the arrays of one value add up, and
 *       must stay within its length plus {@value #CLAIM_SLACK_BYTES} bytes; so decoding a record never allocates
 *       much more than a small multiple of its length, where 27 bytes could otherwise declare a
 *       {@code long[99_999_999]} (800 MB).</li>
 *   <li><b>Hashing.</b> A hash set or map hashes each element as it reads it, and hashing a collection visits its
 *       elements, and theirs: nested collections sharing their elements make that work exponential in a few
 *       bytes (sets of sets sharing the level below: twice the work per level). Each collection, map, map entry
 *       and object array is weighed as it is read, before anything holding it hashes it: its weight is the number
 *       of elements a deep hash code visits (1, plus the weights of its elements, keys and values, shared ones
 *       counted each time). One weighing more than {@value #HASH_WEIGHT_PER_BYTE} times the record's length plus
 *       {@value #HASH_WEIGHT_SLACK} is refused. A value with no collection shared inside another weighs at most
 *       its number of elements, fewer than its bytes, so only values sharing the same collections many times
 *       over are refused; a limit on nesting depth alone would not do, as a few levels of wide sets cost as much
 *       as many levels of narrow ones. Objects of other classes weigh 1: a class of the application whose hash
 *       code hashes its fields is the application's to bound.</li>
 *   <li><b>Failures.</b> Whatever decoding throws, {@code OutOfMemoryError}, {@code StackOverflowError} and
 *       {@code LinkageError} included (an allocation the bounds let through but the heap cannot hold, a deep
 *       structure, a class changed since the value was written), is the {@link IllegalArgumentException} of
 *       bytes that do not decode: the caller drops the value, counts it, and its thread lives on.</li>
 * </ul>
 * These bounds stay when the system property {@value #FILTER_PROPERTY} replaces the filter's pattern.
 *
 * @param <T> the type written
 */
public final class SerializationCodec<T> implements Codec<T> {
    /** System property holding a replacement filter pattern (see {@link SerialAllowlist}). */
    public static final String FILTER_PROPERTY = SerialAllowlist.FILTER_PROPERTY;

    /**
     * Bytes beyond its record that the arrays and collections of a value may claim: room for the hash table of an
     * empty {@code HashSet} or {@code IdentityHashMap}, whose few bytes claim a few slots.
     */
    static final int CLAIM_SLACK_BYTES = 64;
    /** Elements a hash code may visit per byte of the record (see the class comment). */
    static final long HASH_WEIGHT_PER_BYTE = 8;
    /** Elements a hash code may visit whatever the record's length: small values sharing a few collections. */
    static final long HASH_WEIGHT_SLACK = 4096;

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
        ThreadObjectOutput reused = ThreadObjectOutput.acquire();
        if (reused == null) {
            return encodeWithNewStream(value);
        }
        boolean written = false;
        try {
            CheckingObjectOutputStream o = reused.start(allowed);
            write(o, value);
            byte[] result = reused.result();
            written = true;
            return result;
        } finally {
            reused.release(written);
        }
    }

    /** Encodes with a stream of its own: for a thread whose reused stream is busy (a value written inside another). */
    private byte[] encodeWithNewStream(T value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (CheckingObjectOutputStream o = new CheckingObjectOutputStream(bytes, allowed)) {
            write(o, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing a stream over memory
        }
        return bytes.toByteArray();
    }

    /** Writes one value and flushes it, turning what failed into the exception {@link #encode} throws. */
    private void write(CheckingObjectOutputStream o, T value) {
        try {
            o.writeObject(value);
            o.flush();
        } catch (IOException e) {
            throwIfRefused(o, e);
            if (e instanceof NotSerializableException) {
                throw new IllegalArgumentException("a " + value.getClass().getName()
                        + " holds a non-serializable " + e.getMessage(), e);
            }
            throw new IllegalArgumentException("cannot serialize a " + value.getClass().getName() + ": " + e, e);
        }
        throwIfRefused(o, null);
    }

    /**
     * @param failure the exception writing ended with, or null
     * @throws IllegalArgumentException if a class was refused, other than that of {@code failure} written into the
     *                                  stream by {@code ObjectOutputStream}
     */
    private void throwIfRefused(CheckingObjectOutputStream o, IOException failure) {
        Class<?> refused = o.refused();
        if (refused != null && (failure == null || !refused.isInstance(failure))) {
            throw new IllegalArgumentException(allowlist.refusal(refused));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T decode(byte[] bytes) {
        RecordingFilter filter = new RecordingFilter(allowlist.filter(), bytes.length);
        try (ObjectInputStream in = new BoundedObjectInputStream(new ByteArrayInputStream(bytes), classLoader,
                bytes.length)) {
            in.setObjectInputFilter(filter);
            return (T) in.readObject();
        } catch (InvalidClassException e) {
            if (filter.rejected != null) {
                throw new IllegalArgumentException("cannot deserialize: " + filter.why(), e);
            }
            throw new IllegalArgumentException("cannot deserialize: " + e, e);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException("cannot deserialize: " + e, e);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError | LinkageError e) {
            // thrown by the readObject of an allowed class given bytes its writer never wrote, by an allocation the
            // bounds let through but the heap cannot hold, by a class changed since the value was written: the
            // value is undecodable like any bad bytes, and the thread that asked (a reader, the settling pass, a
            // cache being created) lives on
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
     * ({@code java.io.NotSerializableException}, ...) must not hide the real failure. Static, and told the codec's
     * check per value ({@link #checking}), so that a stream a thread keeps ({@link ThreadObjectOutput}) holds on to
     * no codec.
     */
    static final class CheckingObjectOutputStream extends ObjectOutputStream {
        private ClassValue<Boolean> allowed;
        private Class<?> refused;

        CheckingObjectOutputStream(OutputStream out, ClassValue<Boolean> allowed) throws IOException {
            super(out);
            this.allowed = allowed;
        }

        /** Checks the classes of the next value against {@code allowed} (null: between values, checks nothing). */
        void checking(ClassValue<Boolean> allowed) {
            this.allowed = allowed;
            this.refused = null;
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
            if (refused == null && allowed != null && !allowed.get(cl)) {
                refused = cl;
            }
        }

        /** @return the first class written that the filter would refuse, or null */
        Class<?> refused() {
            return refused;
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

    /**
     * Delegates to the filter and remembers what it refused, for a message naming the class or the limit. Also
     * bounds what the arrays and collections of one value may claim by the length of its record (see the class
     * comment): the filter is told each array length, and each collection size a JDK collection's
     * {@code readObject} is about to allocate for, before the allocation.
     */
    private final class RecordingFilter implements ObjectInputFilter {
        private final ObjectInputFilter filter;
        /** What the record could hold, in eighths of a byte: the unit of {@link #eighthsPerElement}. */
        private final long budget;
        private long claimed;
        private FilterInfo rejected;
        private String reason;

        RecordingFilter(ObjectInputFilter filter, int recordBytes) {
            this.filter = filter;
            this.budget = 8L * ((long) recordBytes + CLAIM_SLACK_BYTES);
        }

        @Override
        public Status checkInput(FilterInfo info) {
            Status s = filter.checkInput(info);
            if (s != Status.REJECTED && info.arrayLength() >= 0 && info.serialClass() != null) {
                claimed += info.arrayLength() * eighthsPerElement(info.serialClass());
                if (claimed > budget) {
                    reason = "the value's arrays and collections claim more elements than its record of "
                            + (budget / 8 - CLAIM_SLACK_BYTES) + " bytes could hold (an array of "
                            + info.arrayLength() + " " + info.serialClass().getComponentType().getName()
                            + " at " + info.streamBytes() + " bytes)";
                    s = Status.REJECTED;
                }
            }
            if (s == Status.REJECTED && rejected == null) {
                rejected = info;
            }
            return s;
        }

        String why() {
            if (reason != null) {
                return reason;
            }
            Class<?> c = rejected.serialClass();
            if (c != null && !allowed.get(c)) {
                return allowlist.refusal(c);
            }
            return "a limit of the serialization filter is exceeded (" + allowlist.limits() + "; at depth " + rejected.depth()
                    + ", " + rejected.references() + " references, " + rejected.streamBytes() + " bytes"
                    + (rejected.arrayLength() >= 0 ? ", an array of " + rejected.arrayLength() : "") + ")";
        }
    }

    /**
     * The fewest stream bytes, in eighths, that one element of an array of this type stands for: a primitive is
     * written in its size; a reference is at least one byte (TC_NULL); {@code Map.Entry[]} is the hash table a
     * {@code HashMap}, {@code HashSet} or {@code Hashtable} sizes from its element count and load factor (clamped
     * to at least 0.25, then rounded up to a power of two: up to 8 slots per element), so a slot is an eighth.
     */
    private static long eighthsPerElement(Class<?> arrayType) {
        Class<?> c = arrayType.getComponentType();
        if (c == long.class || c == double.class) {
            return 64;
        }
        if (c == int.class || c == float.class) {
            return 32;
        }
        if (c == short.class || c == char.class) {
            return 16;
        }
        if (c == Map.Entry.class) {
            return 1;
        }
        return 8;
    }

    /**
     * Bounds the work of hashing what it reads: each collection, map, map entry and object array is weighed as it
     * is resolved, before the hash set or map holding it hashes it (see the class comment), and refused when too
     * heavy.
     */
    private static final class BoundedObjectInputStream extends LoaderObjectInputStream {
        /** The weight of each container read so far; other objects weigh 1. */
        private final Map<Object, Long> weights = new IdentityHashMap<>();
        private final long maxWeight;

        BoundedObjectInputStream(InputStream in, ClassLoader loader, int recordBytes) throws IOException {
            super(in, loader);
            this.maxWeight = HASH_WEIGHT_PER_BYTE * recordBytes + HASH_WEIGHT_SLACK;
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) throws IOException {
            long w;
            if (obj instanceof Collection<?> c) {
                w = 1;
                for (Object e : c) {
                    w = add(w, weightOf(e));
                }
            } else if (obj instanceof Map<?, ?> m) {
                w = 1;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    w = add(w, add(weightOf(e.getKey()), weightOf(e.getValue())));
                }
            } else if (obj instanceof Map.Entry<?, ?> e) {
                w = add(1, add(weightOf(e.getKey()), weightOf(e.getValue())));
            } else if (obj instanceof Object[] a) {
                w = 1;
                for (Object e : a) {
                    w = add(w, weightOf(e));
                }
            } else {
                return obj;
            }
            if (w > maxWeight) {
                throw new InvalidObjectException("a " + obj.getClass().getName() + " whose hash code would visit "
                        + (w == Long.MAX_VALUE ? "too many" : String.valueOf(w)) + " elements, more than the "
                        + maxWeight + " its record of " + (maxWeight - HASH_WEIGHT_SLACK) / HASH_WEIGHT_PER_BYTE
                        + " bytes allows (its nested collections share elements many times over)");
            }
            weights.put(obj, w);
            return obj;
        }

        private long weightOf(Object o) {
            Long w = o == null ? null : weights.get(o);
            return w == null ? 1 : w;
        }

        private static long add(long a, long b) {
            long r = a + b;
            return r < 0 ? Long.MAX_VALUE : r;
        }
    }

    /** Resolves classes through a given loader first, so classes of the application are found. */
    private static class LoaderObjectInputStream extends ObjectInputStream {
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
