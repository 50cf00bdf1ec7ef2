package dev.persist.jcache;

import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cache with {@code disk} tells Caffeine's policy of one hit in {@link CaffeineMemory#FRONT_READS_RECORDED}, a
 * cache without it of every hit (see {@link CaffeineMemory}); a key read often still stays in the front while many
 * others pass through it.
 */
class DiskFrontReadsTest {
    private static final int READS = 80_000;

    @TempDir
    Path dir;

    private static String yaml(String bounds) {
        return """
                caches:
                  items:
                    durability: write
                    keyType: java.lang.String
                    valueType: java.lang.String
                """ + bounds;
    }

    @Test
    void aFrontRecordsOneHitInAFewAndABoundedCacheWithoutDiskEveryHit() throws IOException {
        String front = "    memory: { maximumSize: 100 }\n    disk: { maximumBytes: 64MB }\n";
        String bounded = "    memory: { maximumSize: 100 }\n";
        assertThat(recorded(front)).as("hits told to the policy of a front, of " + READS)
                .isBetween(READS / CaffeineMemory.FRONT_READS_RECORDED / 2, READS / CaffeineMemory.FRONT_READS_RECORDED * 2);
        assertThat(recorded(bounded)).as("hits told to the policy of a cache without disk").isEqualTo(READS);
    }

    private int recorded(String bounds) throws IOException {
        Path own = Files.createDirectories(dir.resolve("cache" + bounds.length()));
        try (CacheManager m = new Managers(own, "c.yaml", yaml(bounds)).open()) {
            CaffeineMemory memory = m.getCache("items", String.class, String.class).unwrap(PersistCache.class).memory();
            int recorded = 0;
            for (int i = 0; i < READS; i++) {
                recorded += memory.recordsThisRead() ? 1 : 0;
            }
            return recorded;
        }
    }

    @Test
    void aReadBackFromDiskIsCountedAndAFrontHitOrAnAbsentKeyIsNot() {
        try (CacheManager m = new Managers(dir, "c.yaml", yaml("    memory: { maximumSize: 100 }\n"
                + "    disk: { maximumBytes: 64MB }\n")).open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            Store store = c.unwrap(Store.class);
            c.put("k", "v"); // written around the front: on disk only
            assertThat(store.stats().diskReads()).isZero();
            assertThat(c.get("k")).isEqualTo("v");
            assertThat(store.stats().diskReads()).as("read back once, not kept").isEqualTo(1);
            assertThat(c.get("k")).isEqualTo("v");
            assertThat(store.stats().diskReads()).as("read back again, now kept").isEqualTo(2);
            assertThat(c.get("k")).isEqualTo("v");
            assertThat(c.get("absent")).isNull();
            assertThat(store.stats().diskReads()).as("a front hit and an absent key read nothing").isEqualTo(2);
        }
    }

    @Test
    void aKeyReadOftenStaysInTheFrontWhileManyOthersPassThrough() {
        try (CacheManager m = new Managers(dir, "c.yaml", yaml("    memory: { maximumSize: 100 }\n"
                + "    disk: { maximumBytes: 64MB }\n")).open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            c.put("hot", "h");
            for (int i = 0; i < 2_000; i++) {
                c.put("k" + i, "v" + i); // written around the front: on disk only
            }
            for (int i = 0; i < 2_000; i++) {
                // kept in the front from its second read, then hits: a few of them told to the policy, so that
                // each of these keys counts more often than a key none of whose hits were told
                for (int read = 0; read < 40; read++) {
                    assertThat(c.get("k" + i)).isEqualTo("v" + i);
                }
                for (int read = 0; read < 20; read++) {
                    assertThat(c.get("hot")).isEqualTo("h");
                }
            }
            assertThat(pc.frontSize()).isEqualTo(100);
            assertThat(pc.memory().asMap()).as("the front after 2,000 other keys passed through it")
                    .containsKey("hot");
        }
    }
}
