package dev.persist.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The codecs the store ships with. */
public final class Codecs {
    private static final Codec<String> UTF8 = new Codec<>() {
        @Override public byte[] encode(String value) { return value.getBytes(StandardCharsets.UTF_8); }
        @Override public String decode(byte[] bytes) { return new String(bytes, StandardCharsets.UTF_8); }
        @Override public String toString() { return "utf8"; }
    };

    private static final Codec<byte[]> RAW = new Codec<>() {
        @Override public byte[] encode(byte[] value) { return value.clone(); }
        @Override public byte[] decode(byte[] bytes) { return bytes; }
        @Override public String toString() { return "raw"; }
    };

    /** Shared because ObjectMapper is thread-safe and expensive to build; unknown properties are ignored so
     * that a field removed from a class does not make old records undecodable. */
    private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Codecs() {
    }

    /** Strings as UTF-8 bytes: the key codec for {@code String} keys, which are written as they are. */
    public static Codec<String> utf8() {
        return UTF8;
    }

    /** Byte arrays as they are (copied on encode). */
    public static Codec<byte[]> raw() {
        return RAW;
    }

    /** JSON through Jackson for values of {@code type}, with a default {@link ObjectMapper}. */
    public static <T> Codec<T> json(Class<T> type) {
        return json(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(type));
    }

    /** JSON through Jackson with the caller's mapper and type (generic types included). */
    public static <T> Codec<T> json(ObjectMapper mapper, JavaType type) {
        return new JsonCodec<>(mapper, type);
    }

    private static final class JsonCodec<T> implements Codec<T> {
        private final JavaType type;
        private final ObjectWriter writer;
        private final ObjectReader reader;

        JsonCodec(ObjectMapper mapper, JavaType type) {
            this.type = Objects.requireNonNull(type, "type");
            this.writer = mapper.writerFor(type);
            this.reader = mapper.readerFor(type);
        }

        @Override
        public byte[] encode(T value) {
            if (!type.getRawClass().isInstance(value) && !type.isPrimitive()) {
                throw new ClassCastException("value of " + value.getClass().getName()
                        + " is not a " + type.getRawClass().getName());
            }
            try {
                return writer.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot encode a " + value.getClass().getName()
                        + " as JSON: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot encode a " + value.getClass().getName()
                        + " as JSON: " + e, e);
            }
        }

        @Override
        public T decode(byte[] bytes) {
            try {
                return reader.readValue(bytes);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot decode JSON as " + type + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return "json(" + type + ")";
        }
    }
}
