package dev.persist.jcache.codec;

import dev.persist.store.Codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.Objects;

/**
 * Java serialization for {@link Serializable} keys and values of untyped caches (Hibernate's second-level cache,
 * Spring's caches of arbitrary objects).
 *
 * <p>Decoding resolves classes through the cache manager's {@link ClassLoader} (so application classes load in
 * containers) and runs behind an {@link ObjectInputFilter}: the log file is data from disk, and deserializing
 * untrusted bytes is how gadget-chain attacks work. The default filter is {@link #DEFAULT_FILTER}; the system
 * property {@value #FILTER_PROPERTY} replaces it with a pattern in the JDK's {@code jdk.serialFilter} syntax.
 *
 * @param <T> the type written
 */
public final class SerializationCodec<T> implements Codec<T> {
    /** System property holding a replacement filter pattern. */
    public static final String FILTER_PROPERTY = "persist.jcache.serialFilter";

    /**
     * Limits that no cache value needs and known gadget-chain packages that no cache value should hold. Everything
     * else is allowed, since an untyped cache holds arbitrary application classes.
     */
    public static final String DEFAULT_FILTER = "maxdepth=100;maxrefs=1000000;maxbytes=268435456;maxarray=100000000;"
            + "!org.apache.commons.collections.functors.*;!org.apache.commons.collections4.functors.*;"
            + "!org.codehaus.groovy.runtime.*;!com.sun.org.apache.xalan.internal.xsltc.trax.*;"
            + "!org.springframework.beans.factory.*;!com.mchange.v2.c3p0.*;!bsh.*;!org.python.core.*";

    private final ClassLoader classLoader;
    private final ObjectInputFilter filter;

    /**
     * @param classLoader resolves the classes of decoded objects
     */
    public SerializationCodec(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.filter = ObjectInputFilter.Config.createFilter(System.getProperty(FILTER_PROPERTY, DEFAULT_FILTER));
    }

    @Override
    public byte[] encode(T value) {
        if (!(value instanceof Serializable)) {
            throw new IllegalArgumentException("a " + value.getClass().getName()
                    + " is not Serializable and cannot be stored by value");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("a " + value.getClass().getName()
                    + " holds a non-serializable " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialize a " + value.getClass().getName() + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T decode(byte[] bytes) {
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), classLoader)) {
            in.setObjectInputFilter(filter);
            return (T) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException("cannot deserialize: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "serializable";
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
