package dev.persist.jcache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cache with {@code disk} keeps a value read back from disk in its memory front only from the key's second read
 * back on: a get of an entry read back once is still a hit with no event and the right value, and the front does not
 * keep it; a key read again is kept.
 */
class DiskFrontAdmissionTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            caches:
              items:
                durability: write
                keyType: java.lang.String
                valueType: java.lang.String
                memory: { maximumSize: 100 }
                disk: { maximumBytes: 64MB }
            """;

    @Test
    void aKeyReadBackOnceIsAHitNotKeptAndOneReadAgainIsKept() {
        try (CacheManager m = new Managers(dir, "c.yaml", YAML).open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            for (int i = 0; i < 50; i++) {
                c.put("k" + i, "v" + i); // written around the front: on disk only
            }
            assertThat(pc.frontSize()).isZero();
            DiskCacheTest.Recorder events = new DiskCacheTest.Recorder();
            c.registerCacheEntryListener(new javax.cache.configuration.MutableCacheEntryListenerConfiguration<>(
                    new javax.cache.configuration.FactoryBuilder.SingletonFactory<>(events), null, true, true));
            pc.setStatisticsEnabled(true);

            for (int i = 0; i < 50; i++) {
                assertThat(c.get("k" + i)).isEqualTo("v" + i);
            }
            assertThat(pc.frontSize()).as("each key read back once").isZero();
            for (int i = 0; i < 10; i++) {
                assertThat(c.get("k" + i)).isEqualTo("v" + i);
            }
            assertThat(pc.frontSize()).as("the keys read back again").isEqualTo(10);
            assertThat(c.get("k0")).isEqualTo("v0");
            assertThat(pc.statistics().getCacheHits()).isEqualTo(61);
            assertThat(pc.statistics().getCacheMisses()).isZero();
            assertThat(events.events).as("reads fire nothing, kept in the front or not").isEmpty();
        }
    }
}
