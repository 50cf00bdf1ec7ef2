package dev.persist.jcache;

import dev.persist.jcache.metrics.PersistCacheMetrics;
import dev.persist.store.DiskStats;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A cache's tiers through {@link PersistCacheMetrics}, each meter reading its figure of that cache alone. */
class PersistCacheMetricsTest {
    private static final String YAML = """
            caches:
              items:
                durability: write
                keyType: java.lang.String
                valueType: java.lang.String
                memory: { maximumSize: 100 }
                disk: { maximumBytes: 64MB }
              others:
                durability: write
                keyType: java.lang.String
                valueType: java.lang.String
                memory: { maximumSize: 100 }
                disk: { maximumBytes: 1GB }
              plain:
                durability: write
                keyType: java.lang.String
                valueType: java.lang.String
            """;

    @TempDir
    Path dir;

    @Test
    void eachMeterReadsItsFigureOfItsCache() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (CacheManager m = new Managers(dir, "c.yaml", YAML).open()) {
            Cache<String, String> items = m.getCache("items", String.class, String.class);
            Cache<String, String> others = m.getCache("others", String.class, String.class);
            m.getCache("plain", String.class, String.class).put("p", "q");
            PersistCacheMetrics.of(m).bindTo(registry);
            for (int i = 0; i < 300; i++) {
                items.put("k" + i, "v" + i); // written around the front: on disk only
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 300; i++) {
                    assertThat(items.get("k" + i)).isEqualTo("v" + i);
                }
            }
            others.put("o", "x");
            long front = items.unwrap(PersistCache.class).frontSize(); // Caffeine's pending evictions done
            PersistMap<?, ?> map = items.unwrap(PersistMap.class);
            DiskStats stats = map.diskStats();
            String store = items.unwrap(Store.class).path().toString();
            Tags tags = Tags.of("cache", "items", "store", store);

            assertThat(registry.get("persist.cache.disk.reads").tags(tags).functionCounter().count())
                    .as("each key read back twice: once not kept, once kept").isEqualTo(600).isEqualTo(stats.reads());
            assertThat(registry.get("persist.cache.disk.entries").tags(tags).gauge().value()).isEqualTo(300);
            assertThat(registry.get("persist.cache.disk.used").tags(tags).gauge().value())
                    .isEqualTo(stats.liveBytes()).isPositive();
            assertThat(registry.get("persist.cache.disk.max").tags(tags).gauge().value()).isEqualTo(64 << 20);
            assertThat(registry.get("persist.cache.memory.entries").tags(tags).gauge().value())
                    .as("the front, full").isEqualTo(stats.memoryEntries()).isEqualTo(front).isEqualTo(100);

            Tags otherTags = Tags.of("cache", "others", "store", store);
            assertThat(registry.get("persist.cache.disk.reads").tags(otherTags).functionCounter().count()).isZero();
            assertThat(registry.get("persist.cache.disk.entries").tags(otherTags).gauge().value()).isEqualTo(1);
            assertThat(registry.find("persist.cache.disk.entries").tag("cache", "plain").gauge())
                    .as("a cache without disk is left out").isNull();

            // the store's MBean adds up every cache of the log
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName storeBean = new ObjectName("dev.persist.jcache:type=Store,path=" + ObjectName.quote(store));
            assertThat(server.getAttribute(storeBean, "DiskReads")).isEqualTo(600L);
            assertThat(server.getAttribute(storeBean, "DamagedReads")).isEqualTo(0L);
        }
        assertThat(registry.get("persist.cache.disk.entries").tag("cache", "items").gauge().value())
                .as("closed cache").isNaN();
    }

    @Test
    void aCacheWithoutDiskIsRefusedByName() {
        try (CacheManager m = new Managers(dir, "c.yaml", YAML).open()) {
            Cache<String, String> plain = m.getCache("plain", String.class, String.class);
            assertThatThrownBy(() -> PersistCacheMetrics.of(plain)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cache 'plain' has no disk tier")
                    .hasMessageContaining("disk: { maximumBytes");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            PersistCacheMetrics.of(m.getCache("items", String.class, String.class), Tags.of("app", "a"))
                    .bindTo(registry);
            assertThat(registry.get("persist.cache.disk.reads").tags("app", "a", "cache", "items")
                    .functionCounter().count()).isZero();
        }
    }
}
