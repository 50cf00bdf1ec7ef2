package dev.persist.jcache;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How often a cache with {@code disk} deserializes a value that is beyond its memory front: a get decodes it once
 * (the copy it hands out also shows that it decodes), and a put or remove that nobody listens to does not decode the
 * value it replaces at all. After a restart every entry is beyond the front, so each key below is read from disk.
 */
class DiskDecodeCountTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            caches:
              items:
                durability: write
                keyType: java.lang.String
                valueType: dev.persist.jcache.DiskDecodeCountTest$Counted
                memory: { maximumSize: 10 }
                disk: { maximumBytes: 64MB }
            """;

    static final AtomicInteger DECODES = new AtomicInteger();
    static volatile boolean failDecoding;

    /** A mutable value (held as bytes, decoded on every read) that counts its deserializations. */
    static final class Counted implements Serializable {
        private static final long serialVersionUID = 1L;
        String text;

        Counted(String text) {
            this.text = text;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            DECODES.incrementAndGet();
            if (failDecoding) {
                throw new IOException("this value no longer decodes");
            }
            in.defaultReadObject();
        }
    }

    /** Hears UPDATED events and the old values they carry. */
    static final class Updates implements CacheEntryUpdatedListener<String, Counted>, Serializable {
        static final List<String> OLD = new CopyOnWriteArrayList<>();

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends Counted>> events) {
            events.forEach(e -> OLD.add(e.getKey() + "=" + e.getOldValue().text));
        }
    }

    private Managers managers;

    @BeforeEach
    void fill() {
        DECODES.set(0);
        failDecoding = false;
        Updates.OLD.clear();
        managers = new Managers(dir, "c.yaml", YAML);
        try (CacheManager m = managers.open()) {
            Cache<String, Counted> c = m.getCache("items", String.class, Counted.class);
            for (int i = 0; i < 100; i++) {
                c.put("k" + i, new Counted("v" + i));
            }
        }
        DECODES.set(0);
    }

    private static Cache<String, Counted> items(CacheManager m) {
        return m.getCache("items", String.class, Counted.class);
    }

    @Test
    void aGetOfAnEntryOnDiskDecodesItOnce() {
        try (CacheManager m = managers.open()) {
            Cache<String, Counted> c = items(m);
            assertThat(c.get("k1").text).isEqualTo("v1");
            assertThat(DECODES.get()).isEqualTo(1);
            assertThat(c.get("k1").text).isEqualTo("v1"); // now from the front: a copy, decoded again
            assertThat(DECODES.get()).isEqualTo(2);
            assertThat(c.get("k1")).isNotSameAs(c.get("k1"));
        }
    }

    @Test
    void aPutOrRemoveNobodyListensToDoesNotDecodeTheValueItReplaces() {
        try (CacheManager m = managers.open()) {
            Cache<String, Counted> c = items(m);
            c.put("k2", new Counted("new"));
            c.remove("k3");
            assertThat(DECODES.get()).isZero();
            assertThat(c.get("k2").text).isEqualTo("new");
            assertThat(c.containsKey("k3")).isFalse();
        }
    }

    @Test
    void aListenerGetsTheOldValueDecoded() {
        try (CacheManager m = managers.open()) {
            Cache<String, Counted> c = items(m);
            c.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                    FactoryBuilder.factoryOf(new Updates()), null, true, true));
            c.put("k4", new Counted("new"));
            assertThat(Updates.OLD).containsExactly("k4=v4");
        }
    }

    @Test
    void aPutOverAValueThatNoLongerDecodesReplacesIt() {
        try (CacheManager m = managers.open()) {
            Cache<String, Counted> c = items(m);
            failDecoding = true;
            c.put("k5", new Counted("new")); // the old value is never decoded, so its failure cannot matter
            failDecoding = false;
            assertThat(c.get("k5").text).isEqualTo("new");
            failDecoding = true;
            assertThat(c.get("k6")).isNull(); // a read does decode: the value that does not is dropped, a miss
            failDecoding = false;
            assertThat(c.containsKey("k6")).isFalse();
        }
    }
}
