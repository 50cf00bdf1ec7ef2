package dev.persist.jcache;

import dev.persist.jcache.gadget.Gadget;
import dev.persist.store.Codecs;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The serialization allowlist through the JCache API: puts, configuration, and values read back at restart. */
class SerialAllowlistCacheTest {
    private static final String PREFIX = "dev.persist.jcache.SerialAllowlistCacheTest$";

    @TempDir
    Path dir;

    /** Not deeply immutable (a list): held encoded. */
    record Order(String id, List<String> lines) implements Serializable {
    }

    /** Deeply immutable: held as it is, encoded only when the store writes it. */
    record Point(int x, int y) implements Serializable {
    }

    enum Status { OPEN }

    /** A key class for caches that allow it. */
    record Isbn(String prefix, int number) implements Serializable {
    }

    /** A key class no cache allows. */
    record Shelf(String room, int row) implements Serializable {
    }

    /**
     * A gadget-like class of the test's own: reading one runs code, which here creates the file it names. Outside the
     * allowlist (as every class of this test), so the file must never appear.
     */
    static final class MarkingGadget implements Serializable {
        private final String marker;

        MarkingGadget(Path marker) {
            this.marker = marker.toString();
        }

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            Files.writeString(Path.of(marker), "readObject ran");
        }
    }

    /** Counts write-through calls in its own counter; one instance per test, handed over by a singleton factory. */
    public static final class CountingWriter implements CacheWriter<Object, Object>, Serializable {
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public void write(Cache.Entry<?, ?> entry) {
            writes.incrementAndGet();
        }

        @Override
        public void writeAll(Collection<Cache.Entry<?, ?>> entries) {
            writes.addAndGet(entries.size());
        }

        @Override
        public void delete(Object key) {
            writes.incrementAndGet();
        }

        @Override
        public void deleteAll(Collection<?> keys) {
            writes.addAndGet(keys.size());
        }
    }

    private static MutableConfiguration<Object, Object> untyped() {
        return new MutableConfiguration<>().setTypes(Object.class, Object.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "async", "write", "fsync"})
    void aPutOfAClassOutsideTheAllowlistFailsAndChangesNeitherTheCacheNorTheLog(String tier) throws Exception {
        Path logFile = dir.resolve("cache.log");
        CountingWriter writer = new CountingWriter();
        try (CacheManager m = new Managers(dir, tier).open()) {
            Cache<Object, Object> c = m.createCache("c", untyped().setWriteThrough(true)
                    .setCacheWriterFactory(FactoryBuilder.factoryOf(writer)));
            c.put("k", "before");
            Store store = m.unwrap(Store.class);
            store.fsyncAll();
            long records = store.stats().logRecords();
            // the records' bytes: the file runs past them with zeros the store's helper writes ahead (mapped appends)
            byte[] log = java.util.Arrays.copyOf(Files.readAllBytes(logFile), (int) store.stats().logBytes());
            assertThat(writer.writes).as("write-through calls of the first put").hasValue(1);
            writer.writes.set(0);

            Map<Object, String> refused = new LinkedHashMap<>();
            refused.put(new Gadget("calc"), "dev.persist.jcache.gadget.Gadget");
            refused.put(new Order("o1", List.of("line")), PREFIX + "Order");
            refused.put(new Point(1, 2), PREFIX + "Point");
            refused.put(Status.OPEN, PREFIX + "Status");
            refused.put(new HashMap<>(Map.of("nested", new Gadget("calc"))), "dev.persist.jcache.gadget.Gadget");
            for (Map.Entry<Object, String> e : refused.entrySet()) {
                String message = "class " + e.getValue() + " is not allowed by the serialization allowlist of cache "
                        + "'c'. Allow it for every cache under defaults.serialization.allow";
                Object bad = e.getKey();
                assertThatThrownBy(() -> c.put("k2", bad)).isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(message);
                assertThatThrownBy(() -> c.getAndPut("k", bad)).isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(message);
                assertThatThrownBy(() -> c.replace("k", bad)).isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(message);
                assertThatThrownBy(() -> c.put(bad, "as a key")).isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(message);
            }
            for (Map.Entry<Object, String> e : refused.entrySet()) {
                // a batch with one refused value: nothing of it reaches the writer or the cache
                Map<Object, Object> batch = new LinkedHashMap<>();
                batch.put("k4", "fine");
                batch.put("k3", e.getKey());
                batch.put("k5", "also fine");
                assertThatThrownBy(() -> c.putAll(batch))
                        .isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("class " + e.getValue() + " is not allowed");
            }
            assertThat(writer.writes).as("write-through calls").hasValue(0);
            for (String k : List.of("k2", "k3", "k4", "k5")) {
                assertThat(c.containsKey(k)).as(k).isFalse();
            }
            assertThat(c.get("k")).isEqualTo("before");
            store.fsyncAll();
            assertThat(store.stats().logRecords()).isEqualTo(records);
            assertThat(java.util.Arrays.copyOf(Files.readAllBytes(logFile), (int) store.stats().logBytes()))
                    .isEqualTo(log);
        }
    }

    @Test
    void configuredPatternsLetApplicationClassesRoundTripAndACachesOwnListStaysItsOwn() {
        Managers managers = new Managers(dir, "app.yaml", """
                defaults:
                  serialization:
                    allow: [ "dev.persist.jcache.SerialAllowlistCacheTest$Order" ]
                caches:
                  points:
                    serialization: { allow: [ "dev.persist.jcache.SerialAllowlistCacheTest$P*" ] }
                  plain: {}
                """);
        Order order = new Order("o1", List.of("two books"));
        Point point = new Point(3, 4);
        try (CacheManager m = managers.open()) {
            Cache<Object, Object> points = m.getCache("points");
            Cache<Object, Object> plain = m.getCache("plain");
            Cache<Object, Object> inCode = m.createCache("inCode", untyped());
            points.put("o", order);
            points.put("p", point);
            plain.put("o", order);
            inCode.put("o", order);
            for (Cache<Object, Object> c : List.of(plain, inCode)) {
                assertThatThrownBy(() -> c.put("p", point)).isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("class " + PREFIX + "Point is not allowed")
                        .hasMessageContaining("caches." + c.getName() + ".serialization.allow");
                assertThat(c.containsKey("p")).isFalse();
            }
        }
        try (CacheManager m = managers.open()) {
            Cache<Object, Object> points = m.getCache("points");
            Cache<Object, Object> inCode = m.createCache("inCode", untyped());
            assertThat(points.get("o")).isEqualTo(order);
            assertThat(points.get("p")).isEqualTo(point);
            assertThat(m.getCache("plain").get("o")).isEqualTo(order);
            assertThat(inCode.get("o")).isEqualTo(order);
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isZero();
        }
    }

    @Test
    void theDeclaredKeyAndValueTypesOfACacheAreAllowed() {
        Managers managers = new Managers(dir, "types.yaml", """
                caches:
                  typed:
                    keyType: dev.persist.jcache.SerialAllowlistCacheTest$Point
                    valueType: dev.persist.jcache.SerialAllowlistCacheTest$Order
                """);
        Order order = new Order("o1", List.of("x"));
        try (CacheManager m = managers.open()) {
            m.getCache("typed", Point.class, Order.class).put(new Point(1, 1), order);
            m.createCache("inCode", new MutableConfiguration<String, Point>().setTypes(String.class, Point.class))
                    .put("p", new Point(2, 2));
            // only for those caches
            Cache<Object, Object> untyped = m.createCache("untyped", untyped());
            assertThatThrownBy(() -> untyped.put("p", new Point(2, 2)))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("class " + PREFIX + "Point is not allowed");
        }
        try (CacheManager m = managers.open()) {
            assertThat(m.getCache("typed", Point.class, Order.class).get(new Point(1, 1))).isEqualTo(order);
            assertThat(m.createCache("inCode", new MutableConfiguration<String, Point>()
                    .setTypes(String.class, Point.class)).get("p")).isEqualTo(new Point(2, 2));
        }
    }

    private static Cache<String, Object> stringKeys(CacheManager m) {
        return m.createCache("c", new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
    }

    private static byte[] envelopeOf(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        byte[] ser = bytes.toByteArray();
        return ByteBuffer.allocate(8 + ser.length).putLong(Long.MAX_VALUE).put(ser).array();
    }

    @Test
    void aClassOutsideTheAllowlistInTheLogIsDroppedCountedAndLoggedAtRestart() throws Exception {
        Managers managers = new Managers(dir, "write");
        Path marker = dir.resolve("gadget-ran");
        try (CacheManager m = managers.open()) {
            stringKeys(m).put("fine", new ArrayList<>(List.of("still here")));
        }
        try (Store store = Store.open(dir.resolve("cache.log"))) {
            // as an attacker who can write the log file would write it
            PersistMap<String, byte[]> raw = store.map("c", Codecs.utf8(), Codecs.raw());
            raw.set("gadget", envelopeOf(new Gadget("calc")), Durability.FSYNC);
            raw.set("nested", envelopeOf(new HashMap<>(Map.of("x", new Gadget("calc")))), Durability.FSYNC);
            raw.close();
            PersistMap<String, byte[]> rawD = store.map("d", Codecs.utf8(), Codecs.raw()); // cache d's records
            rawD.set("marking", envelopeOf(new MarkingGadget(marker)), Durability.FSYNC);
            rawD.close();
        }
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warnings.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(Store.class.getName());
        logger.addHandler(capture);
        try (CacheManager m = managers.open()) {
            Cache<String, Object> c = stringKeys(m);
            assertThat(c.get("fine")).isEqualTo(List.of("still here"));
            assertThat(c.containsKey("gadget")).isFalse();
            assertThat(c.containsKey("nested")).isFalse();
            Cache<String, Object> d = m.createCache("d", new MutableConfiguration<String, Object>()
                    .setTypes(String.class, Object.class));
            assertThat(d.containsKey("marking")).isFalse();
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isEqualTo(3);
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(marker).as("the file a gadget's readObject creates").doesNotExist();
        assertThat(warnings).anySatisfy(w -> assertThat(w)
                .contains("class dev.persist.jcache.gadget.Gadget is not allowed by the serialization allowlist of "
                        + "cache 'c'")
                .contains("caches.c.serialization.allow"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"write", "fsync"})
    void recordKeysOfAnAllowedClassRoundTripAndARefusedKeyClassChangesNothing(String tier) throws Exception {
        Managers managers = new Managers(dir, "keys.yaml", """
                defaults: { durability: %s }
                caches:
                  byIsbn:
                    serialization: { allow: [ "dev.persist.jcache.SerialAllowlistCacheTest$Isbn" ] }
                """.formatted(tier));
        Path logFile = dir.resolve("cache.log");
        Shelf refusedKey = new Shelf("north", 3);
        String message = "class " + PREFIX + "Shelf is not allowed by the serialization allowlist of cache 'byIsbn'";
        try (CacheManager m = managers.open()) {
            Cache<Object, Object> c = m.getCache("byIsbn");
            c.put(new Isbn("978", 1), "one");
            c.put(new Isbn("978", 2), "two");
            c.put(new Isbn("979", 1), "three");
            c.remove(new Isbn("978", 2));
            assertThat(c.get(new Isbn("978", 1))).isEqualTo("one");
            Store store = m.unwrap(Store.class);
            store.fsyncAll();
            long records = store.stats().logRecords();
            // the records' bytes: the file runs past them with zeros the store's helper writes ahead (mapped appends)
            byte[] log = java.util.Arrays.copyOf(Files.readAllBytes(logFile), (int) store.stats().logBytes());

            assertThatThrownBy(() -> c.put(refusedKey, "v")).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(message);
            assertThatThrownBy(() -> c.putIfAbsent(refusedKey, "v"))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
            assertThatThrownBy(() -> c.getAndPut(refusedKey, "v"))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
            Map<Object, Object> batch = new LinkedHashMap<>();
            batch.put(new Isbn("980", 1), "fine");
            batch.put(refusedKey, "refused");
            assertThatThrownBy(() -> c.putAll(batch)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(message);
            // the same record class is refused as a value too: allowing Isbn allowed nothing else
            assertThatThrownBy(() -> c.put(new Isbn("981", 1), refusedKey))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
            assertThat(c.containsKey(new Isbn("980", 1))).isFalse();
            assertThat(c.containsKey(new Isbn("981", 1))).isFalse();
            store.fsyncAll();
            assertThat(store.stats().logRecords()).isEqualTo(records);
            assertThat(java.util.Arrays.copyOf(Files.readAllBytes(logFile), (int) store.stats().logBytes()))
                    .isEqualTo(log);
        }
        try (CacheManager m = managers.open()) {
            Cache<Object, Object> c = m.getCache("byIsbn");
            Map<Object, Object> found = new HashMap<>();
            c.forEach(e -> found.put(e.getKey(), e.getValue()));
            assertThat(found).isEqualTo(Map.of(new Isbn("978", 1), "one", new Isbn("979", 1), "three"));
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isZero();
            // an untyped cache without the pattern refuses the same key class
            Cache<Object, Object> other = m.createCache("other", untyped());
            assertThatThrownBy(() -> other.put(new Isbn("978", 1), "x"))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("class " + PREFIX + "Isbn is not allowed");
        }
    }
}
