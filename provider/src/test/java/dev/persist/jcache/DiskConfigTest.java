package dev.persist.jcache;

import dev.persist.jcache.config.CacheSettings;
import dev.persist.store.PersistMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The two shapes of a cache's bounds: {@code maximumSize} (memory is the cache) and {@code memory} + {@code disk}. */
class DiskConfigTest {
    @TempDir
    Path dir;

    private PersistCacheManager open(String yaml, Properties overrides) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, yaml);
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("c.log").toString());
        p.putAll(overrides);
        CacheManager m = new PersistCachingProvider().getCacheManager(file.toUri(), getClass().getClassLoader(), p);
        return m.unwrap(PersistCacheManager.class);
    }

    private static CacheSettings settingsOf(PersistCacheManager m, String cache) {
        return m.settings().caches().get(cache);
    }

    @Test
    void theBenchmarksShape() throws Exception {
        try (PersistCacheManager m = open("caches: { items: { durability: write, memory: { maximumSize: 100000 }, "
                + "disk: { maximumBytes: 4GB } } }", new Properties())) {
            CacheSettings s = settingsOf(m, "items");
            assertThat(s.diskBytes()).isEqualTo(4L << 30);
            assertThat(s.maximumSize()).isEqualTo(100_000);
            Cache<Object, Object> c = m.getCache("items");
            assertThat(c.unwrap(PersistMap.class).isDiskBacked()).isTrue();
        }
    }

    @Test
    void diskCachesWithoutAutoShrinkAreWarnedAboutOnceWithAutoShrinkNot() throws Exception {
        try (SettlingAfterRestartTest.Warnings w = new SettlingAfterRestartTest.Warnings(SharedStores.class)) {
            try (PersistCacheManager m = open("caches: { b: { disk: { maximumBytes: 1MB } }, plain: {}, "
                    + "a: { disk: { maximumBytes: 1MB } } }", new Properties())) {
                assertThat(m.getCache("a")).isNotNull();
            }
            assertThat(w.messages).singleElement().asString()
                    .contains(dir.resolve("c.log").toString())
                    .contains("disk (a, b)")
                    .contains("store.autoShrink")
                    .doesNotContain("plain");
            w.messages.clear();
            try (PersistCacheManager m = open("store: { autoShrink: { interval: 1m } }\n"
                    + "caches: { a: { disk: { maximumBytes: 1MB } } }", new Properties())) {
                assertThat(m.getCache("a")).isNotNull();
            }
            try (PersistCacheManager m = open("caches: { plain: { maximumSize: 5 } }", new Properties())) {
                assertThat(m.getCache("plain")).isNotNull();
            }
            assertThat(w.messages).as("auto-shrink on, or no disk cache").isEmpty();
            Properties p = new Properties();
            p.setProperty("defaults.disk.maximumBytes", "1MB");
            try (PersistCacheManager m = open("caches: { plain: {} }", p)) {
                assertThat(m.getCache("plain")).isNotNull();
            }
            assertThat(w.messages).singleElement().asString().contains("defaults.disk");
        }
    }

    @Test
    void propertiesOverrideTheSameKeys() throws Exception {
        Properties p = new Properties();
        p.setProperty("caches[com.example.Items].memory.maximumSize", "10");
        p.setProperty("caches[com.example.Items].disk.maximumBytes", "1mb");
        p.setProperty("caches.plain.maximumSize", "5");
        try (PersistCacheManager m = open("caches: { plain: {} }", p)) {
            CacheSettings s = settingsOf(m, "com.example.Items");
            assertThat(s.diskBytes()).isEqualTo(1L << 20);
            assertThat(s.maximumSize()).isEqualTo(10);
            assertThat(settingsOf(m, "plain").diskBacked()).isFalse();
            assertThat(m.getCache("com.example.Items").unwrap(PersistMap.class).isDiskBacked()).isTrue();
            assertThat(m.getCache("plain").unwrap(PersistMap.class).isDiskBacked()).isFalse();
        }
    }

    @Test
    void diskWithoutAMemoryBoundGetsTheDefaultFront() throws Exception {
        try (PersistCacheManager m = open("caches: { items: { disk: { maximumBytes: 1073741824 } } }",
                new Properties())) {
            assertThat(settingsOf(m, "items").maximumSize()).isEqualTo(CacheSettings.DEFAULT_FRONT_SIZE);
            assertThat(settingsOf(m, "items").diskBytes()).isEqualTo(1L << 30);
        }
    }

    @Test
    void memoryWithoutDiskMeansWhatMaximumSizeMeans() throws Exception {
        try (PersistCacheManager m = open("caches: { a: { memory: { maximumWeight: 1000 } }, b: { maximumSize: 3 } }",
                new Properties())) {
            assertThat(settingsOf(m, "a").maximumWeight()).isEqualTo(1000);
            assertThat(settingsOf(m, "a").diskBacked()).isFalse();
            assertThat(settingsOf(m, "b").maximumSize()).isEqualTo(3);
        }
    }

    @Test
    void aStoreByReferenceCacheWithDiskStaysMemoryOnly() throws Exception {
        try (PersistCacheManager m = open("caches: {}", new Properties())) {
            m.close();
        }
        Properties p = new Properties();
        p.setProperty("caches.refs.disk.maximumBytes", "1GB");
        try (PersistCacheManager m = open("caches: {}", p)) {
            m.destroyCache("refs");
            Cache<String, String> c = m.createCache("refs", new MutableConfiguration<String, String>()
                    .setStoreByValue(false));
            c.put("k", "v");
            assertThat(c.unwrap(PersistCache.class).isPersistent()).isFalse();
            assertThat(c.unwrap(PersistMap.class).isDiskBacked()).isFalse();
        }
    }
}
