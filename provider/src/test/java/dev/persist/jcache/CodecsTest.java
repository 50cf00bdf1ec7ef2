package dev.persist.jcache;

import dev.persist.store.Codecs;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.io.ObjectOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecsTest {
    @TempDir
    Path dir;

    /** A value of a "class that no longer exists": serialized bytes naming a missing class. */
    static byte[] envelopeOfMissingClass() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Gone("x"));
        }
        byte[] ser = bytes.toByteArray();
        // rename the class inside the stream: same length, so the stream stays well-formed
        String s = new String(ser, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("CodecsTest$Gone", "CodecsTest$Gbne");
        byte[] renamed = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(8 + renamed.length).putLong(Long.MAX_VALUE).put(renamed).array();
    }

    record Gone(String v) implements Serializable {
    }

    @Test
    void aValueThatNoLongerDecodesIsDroppedAndCounted() throws Exception {
        Path log = dir.resolve("cache.log");
        Managers managers = new Managers(dir, "write");
        try (CacheManager m = managers.open()) {
            m.createCache("c", new MutableConfiguration<String, Object>().setTypes(String.class, Object.class))
                    .put("fine", "still here");
        }
        try (Store store = Store.open(log)) {
            // as an older version of the application would have written it
            PersistMap<String, byte[]> raw = store.map("c", Codecs.utf8(), Codecs.raw());
            raw.set("stale", envelopeOfMissingClass(), Durability.FSYNC);
            raw.close();
        }
        try (CacheManager m = managers.open()) {
            Cache<String, Object> c = m.createCache("c",
                    new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
            assertThat(c.get("fine")).isEqualTo("still here");
            assertThat(c.containsKey("stale")).isFalse();
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isEqualTo(1);
        }
    }

    @Test
    void aValueTheCodecCannotEncodeThrowsAndWritesNothing() {
        Managers managers = new Managers(dir, "fsync");
        try (CacheManager m = managers.open()) {
            Cache<String, Object> c = m.createCache("c", new MutableConfiguration<String, Object>()
                    .setTypes(String.class, Object.class));
            long records = m.unwrap(Store.class).stats().logRecords();
            assertThatThrownBy(() -> c.put("k", new Object())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not Serializable");
            assertThat(c.containsKey("k")).isFalse();
            assertThat(m.unwrap(Store.class).stats().logRecords()).isEqualTo(records);
            Cache<String, Integer> typed = m.createCache("typed", new MutableConfiguration<String, Integer>()
                    .setTypes(String.class, Integer.class));
            @SuppressWarnings({"unchecked", "rawtypes"})
            Cache<String, Object> raw = (Cache) typed;
            assertThatThrownBy(() -> raw.put("k", "not an int")).isInstanceOf(ClassCastException.class);
            assertThat(typed.containsKey("k")).isFalse();
            assertThat(m.unwrap(Store.class).stats().logRecords()).isEqualTo(records);
        }
    }

    /** A JSON-friendly value class. */
    public static final class User {
        public String name;
        public int age;

        public User() {
        }

        User(String name, int age) {
            this.name = name;
            this.age = age;
        }
    }

    @Test
    void jsonCodecForTypedCaches() {
        Managers managers = new Managers(dir, "c.yaml", """
                caches:
                  users:
                    keyType: java.lang.String
                    valueType: dev.persist.jcache.CodecsTest$User
                    codec: json
                """);
        try (CacheManager m = managers.open()) {
            m.getCache("users", String.class, User.class).put("u", new User("ann", 40));
        }
        try (CacheManager m = managers.open()) {
            User u = m.getCache("users", String.class, User.class).get("u");
            assertThat(u.name).isEqualTo("ann");
            assertThat(u.age).isEqualTo(40);
        }
        try (Store store = Store.open(dir.resolve("cache.log"))) {
            byte[] stored = store.orphan("users", "u", Codecs.raw());
            String json = new String(stored, 8, stored.length - 8, java.nio.charset.StandardCharsets.UTF_8);
            assertThat(json).contains("\"name\":\"ann\"");
        }
    }

    @Test
    void namespacesAreValidAndDistinct() {
        String[] names = {"", "~", "%", "%25", "a:b", "a%3Ab", "com.example.Book", "tab\there", "\u0085",
                "x".repeat(300), "x".repeat(299) + "y", "é".repeat(200), "日本語"};
        Set<String> seen = new HashSet<>();
        try (Store store = Store.open(dir.resolve("ns.log"))) {
            for (String n : names) {
                String ns = CacheNamespaces.namespaceOf(n);
                assertThat(seen.add(ns)).as("namespace of %s", n).isTrue();
                store.map(ns, Codecs.utf8(), Codecs.utf8()); // throws if the store refuses the name
            }
        }
        assertThat(CacheNamespaces.namespaceOf("com.example.Book")).isEqualTo("com.example.Book");
        assertThat(CacheNamespaces.namespaceOf("a:b")).isEqualTo("a%3Ab");
    }
}
