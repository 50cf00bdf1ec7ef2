package dev.persist.jcache;

import dev.persist.store.Store;
import dev.persist.testkit.FileDamage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.integration.CacheWriter;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A put that returns nothing and that no listener hears replaces a disk-resident entry that never expires without
 * reading its record back ({@link StoredCodec#isPlain}); an entry that can expire is read, since whether it has
 * expired decides what the put is. That no record is read is shown by damaging it first: a read would meet the
 * damage and count it in the store's {@code damagedReads}.
 */
class DiskBlindPutTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            caches:
              items:
                durability: write
                keyType: java.lang.String
                valueType: java.lang.String
                memory: { maximumSize: 10 }
                disk: { maximumBytes: 64MB }
            """;

    private Managers managers;

    /** Writes k0..k19 and enough filler that damage to the k records leaves the index file trusted. */
    private void written(String yaml) {
        managers = new Managers(dir, "c.yaml", yaml);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = items(m);
            for (int i = 0; i < 20; i++) {
                c.put("k" + i, "value-" + i + "-end");
            }
            for (int i = 0; i < 1000; i++) {
                c.put("filler" + i, "f".repeat(100));
            }
        }
    }

    private static Cache<String, String> items(CacheManager m) {
        return m.getCache("items", String.class, String.class);
    }

    private static long damagedReads(Cache<String, String> c) {
        return c.unwrap(Store.class).stats().damagedReads();
    }

    /** Changes one byte of the value {@code text} in the log (a Java-serialized string keeps its UTF-8 bytes). */
    private void damage(String text) throws Exception {
        Path log;
        try (var files = Files.list(dir)) {
            log = files.filter(p -> p.getFileName().toString().endsWith(".log")).findFirst().orElseThrow();
        }
        FileDamage.flipIn(log, text, 1);
    }

    @Test
    void aPutOverAnEntryThatNeverExpiresReadsNoRecord() throws Exception {
        written(YAML);
        damage("value-3-end");
        damage("value-4-end");
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = items(m);
            assertThat(c.unwrap(Store.class).openedFromIndex()).isTrue();
            c.put("k3", "new");
            assertThat(damagedReads(c)).isZero();
            assertThat(c.get("k3")).isEqualTo("new");
            // the control: getAndPut returns the old value, so it reads the record and meets the damage
            assertThat(c.getAndPut("k4", "new")).isNull();
            assertThat(damagedReads(c)).isEqualTo(1);
        }
        try (CacheManager m = managers.open()) {
            assertThat(items(m).get("k3")).isEqualTo("new");
        }
    }

    @Test
    void aPutOverAnEntryThatCanExpireReadsItsRecord() throws Exception {
        written(YAML.replace("durability: write", "durability: write\n    expiry: { afterWrite: 1h }"));
        damage("value-5-end");
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = items(m);
            c.put("k5", "new");
            assertThat(damagedReads(c)).isEqualTo(1);
            assertThat(c.get("k5")).isEqualTo("new");
        }
    }

    /** Hears UPDATED events: the key, and the old value if the event has one. */
    public static final class Updates implements CacheEntryUpdatedListener<String, String>, Serializable {
        static final List<String> HEARD = new CopyOnWriteArrayList<>();

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(e -> HEARD.add(e.getKey() + (e.isOldValueAvailable() ? " old=" + e.getOldValue() : " no old value")));
        }
    }

    /** A write-through writer that registers a listener on the cache while a put runs: a listener that arrives
     * after the put chose not to read the value it replaces. */
    public static final class ListenerRegisteringWriter implements CacheWriter<String, String> {
        static volatile Cache<String, String> cache;

        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
            if (cache != null && entry.getKey().equals("k6")) {
                cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                        FactoryBuilder.factoryOf(new Updates()), null, true, true));
                cache = null;
            }
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
            entries.forEach(this::write);
        }

        @Override
        public void delete(Object key) {
        }

        @Override
        public void deleteAll(Collection<?> keys) {
        }
    }

    @BeforeEach
    void reset() {
        Updates.HEARD.clear();
        ListenerRegisteringWriter.cache = null;
    }

    @Test
    void aListenerRegisteredWhileAPutRunsHearsAnUpdateWithoutTheOldValueItDidNotRead() {
        written(YAML.replace("disk: { maximumBytes: 64MB }", "disk: { maximumBytes: 64MB }\n    writer: "
                + ListenerRegisteringWriter.class.getName()));
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = items(m);
            ListenerRegisteringWriter.cache = c;
            c.put("k6", "new");
            c.put("k7", "new");
            assertThat(Updates.HEARD).containsExactly("k6 no old value", "k7 old=value-7-end");
        }
    }

    @Test
    void onlyAnEntryThatNeverExpiresIsPlain() {
        StoredCodec codec = new StoredCodec(dev.persist.store.Codecs.utf8(), Form.encoded(dev.persist.store.Codecs.utf8()));
        assertThat(codec.isPlain(ByteBuffer.wrap(codec.encode(new Stored(new byte[] {1}, Stored.ETERNAL))))).isTrue();
        assertThat(codec.isPlain(ByteBuffer.wrap(codec.encode(new Stored(new byte[] {1}, 1234L))))).isFalse();
        assertThat(codec.isPlain(ByteBuffer.wrap(new byte[7]))).isFalse();
        assertThat(codec.plainStandIn().expiresAt()).isEqualTo(Stored.ETERNAL);
        assertThat(codec.plainStandIn().isRead()).isFalse();
    }
}
