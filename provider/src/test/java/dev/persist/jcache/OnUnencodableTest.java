package dev.persist.jcache;

import dev.persist.jcache.config.ConfigException;
import dev.persist.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code onUnencodable}: with {@code fail} (the default) a put of a value the codec cannot write throws and changes
 * nothing; with {@code skip} it leaves the key without an entry (removing a cached one), tells the writer, logs once
 * per refused class and cache, counts it, and survives a restart as an absent key.
 */
class OnUnencodableTest {
    /** Refused by the allowlist: not a JDK type, not allowed in the configuration. */
    record Refused(String name) implements Serializable {
    }

    /** Another refused class, for the once-per-class log. */
    record AlsoRefused(int n) implements Serializable {
    }

    static final List<Object> WRITTEN = new CopyOnWriteArrayList<>();

    /** Records what write-through writes. */
    public static final class RecordingWriter implements CacheWriter<Object, Object> {
        @Override
        public void write(Cache.Entry<?, ?> entry) {
            WRITTEN.add(entry.getValue());
        }

        @Override
        public void writeAll(Collection<Cache.Entry<?, ?>> entries) {
            entries.forEach(this::write);
            entries.clear();
        }

        @Override
        public void delete(Object key) {
        }

        @Override
        public void deleteAll(Collection<?> keys) {
            keys.clear();
        }
    }

    @TempDir
    Path dir;

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(PersistCache.class.getName());
    private final Handler capture = new Handler() {
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

    @BeforeEach
    void listen() {
        WRITTEN.clear();
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
    }

    private CacheManager open(String onUnencodable) {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("cache.log").toString());
        if (onUnencodable != null) {
            p.setProperty("defaults.onUnencodable", onUnencodable);
        }
        return new PersistCachingProvider().getCacheManager(URI.create("unencodable"), getClass().getClassLoader(), p);
    }

    private static Cache<Object, Object> cache(CacheManager m) {
        Cache<Object, Object> c = m.getCache("c");
        return c != null ? c : m.createCache("c", new MutableConfiguration<>().setWriteThrough(true)
                .setCacheWriterFactory(FactoryBuilder.factoryOf(RecordingWriter.class)));
    }

    @Test
    void failIsTheDefaultAndAPutOfARefusedValueThrowsAndKeepsTheEntry() {
        try (CacheManager m = open(null)) {
            Cache<Object, Object> c = cache(m);
            c.put("k", "cached");
            assertThatThrownBy(() -> c.put("k", new Refused("x"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Refused.class.getName());
            assertThat(c.get("k")).isEqualTo("cached");
            assertThat(c.unwrap(PersistCache.class).skippedValues()).isZero();
            assertThat(m.unwrap(Store.class).stats().skippedValues()).isZero();
            assertThat(WRITTEN).containsExactly("cached");
        }
    }

    @Test
    void skipLeavesNoEntryForTheKeyTellsTheWriterLogsOncePerClassAndCounts() {
        try (CacheManager m = open("skip")) {
            Cache<Object, Object> c = cache(m);
            c.put("k", "cached");
            c.put("k", new Refused("x"));                             // no exception
            assertThat(c.containsKey("k")).as("the stale entry is removed").isFalse();
            assertThat(c.get("k")).isNull();
            assertThat(WRITTEN).as("write-through still writes the value").containsExactly("cached", new Refused("x"));

            c.put("k2", "v2");
            assertThat(c.getAndPut("k2", new Refused("y"))).as("getAndPut gives the old value").isEqualTo("v2");
            assertThat(c.containsKey("k2")).isFalse();
            assertThat(c.putIfAbsent("k3", new Refused("z"))).as("nothing stored").isFalse();
            assertThat(c.containsKey("k3")).isFalse();
            c.put("k4", "v4");
            assertThat(c.replace("k4", new AlsoRefused(1))).isFalse();
            assertThat(c.containsKey("k4")).isFalse();
            c.put("k5", "v5");
            c.invoke("k5", (e, a) -> {
                e.setValue(new Refused("by a processor"));
                return null;
            });
            assertThat(c.containsKey("k5")).isFalse();

            Map<Object, Object> batch = new LinkedHashMap<>();
            batch.put("b1", "fine");
            batch.put("b2", new Refused("in a batch"));
            c.put("b2", "stale");
            c.putAll(batch);
            assertThat(c.get("b1")).isEqualTo("fine");
            assertThat(c.containsKey("b2")).isFalse();

            assertThat(c.unwrap(PersistCache.class).skippedValues()).isEqualTo(6);
            assertThat(m.unwrap(Store.class).stats().skippedValues()).isEqualTo(6);
            List<String> skipLines = new ArrayList<>();
            for (String w : warnings) {
                if (w.contains("skipped a value it cannot write")) {
                    skipLines.add(w);
                }
            }
            assertThat(skipLines).as("one line per refused class and cache").hasSize(2);
            assertThat(skipLines.get(0)).contains("cache 'c'").contains(Refused.class.getName())
                    .contains("caches.c.onUnencodable is skip");
            assertThat(skipLines.get(1)).contains(AlsoRefused.class.getName());
        }
        try (CacheManager m = open("skip")) {
            Cache<Object, Object> c = cache(m);
            assertThat(c.containsKey("k")).as("the removal reached the log").isFalse();
            assertThat(c.get("b1")).isEqualTo("fine");
            assertThat(c.containsKey("b2")).isFalse();
        }
    }

    @Test
    void aCacheCanSetItsOwnAndBadValuesAreRefusedNamingTheKey() {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("own.log").toString());
        p.setProperty("caches.strict.onUnencodable", "fail");
        p.setProperty("caches.lenient.onUnencodable", "skip");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("own"),
                getClass().getClassLoader(), p)) {
            Cache<Object, Object> strict = m.getCache("strict");
            Cache<Object, Object> lenient = m.getCache("lenient");
            assertThatThrownBy(() -> strict.put("k", new Refused("x"))).isInstanceOf(IllegalArgumentException.class);
            lenient.put("k", new Refused("x"));
            assertThat(lenient.containsKey("k")).isFalse();
        }
        p.setProperty("caches.strict.onUnencodable", "ignore");
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(URI.create("bad"),
                getClass().getClassLoader(), p)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("caches.strict.onUnencodable: must be one of fail, skip, got 'ignore'");
    }
}
