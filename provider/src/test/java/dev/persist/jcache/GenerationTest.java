package dev.persist.jcache;

import dev.persist.jcache.config.ConfigException;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code store.generation}: a log written for another generation (a database recreated, restored or migrated while
 * the application was down) has its caches cleared at open, before any cache sees an entry; the same generation
 * keeps them; no generation configured checks nothing.
 */
class GenerationTest {
    @TempDir
    Path dir;

    private CacheManager open(String name, String generation) {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("cache.log").toString());
        p.setProperty("caches.configured.maximumSize", "100");
        if (generation != null) {
            p.setProperty("store.generation", generation);
        }
        return new PersistCachingProvider().getCacheManager(URI.create(name), getClass().getClassLoader(), p);
    }

    private static Cache<String, String> inCode(CacheManager m) {
        Cache<String, String> c = m.getCache("inCode", String.class, String.class);
        return c != null ? c : m.createCache("inCode", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
    }

    @Test
    void aChangedGenerationClearsEveryCacheAtOpenAndIsRecorded() {
        try (CacheManager m = open("g", "schema-1")) {
            m.<Object, Object>getCache("configured").put("row", "v1");
            inCode(m).put("row", "v1");
            Store store = m.unwrap(Store.class);
            assertThat(store.generation()).isEqualTo("schema-1");
            assertThat(store.stats().generationClears()).as("a new log is not cleared").isZero();
        }
        try (CacheManager m = open("g", "schema-1")) {
            assertThat(m.<Object, Object>getCache("configured").get("row")).as("same generation").isEqualTo("v1");
            assertThat(inCode(m).get("row")).isEqualTo("v1");
        }
        try (CacheManager m = open("g", "schema-2")) {
            Store store = m.unwrap(Store.class);
            assertThat(m.<Object, Object>getCache("configured").get("row")).as("configured cache cleared").isNull();
            assertThat(inCode(m).get("row")).as("a cache created in code, an orphan at open, cleared").isNull();
            assertThat(store.stats().generationClears()).isEqualTo(1);
            assertThat(store.stats().generationClearedKeys()).isEqualTo(2);
            assertThat(store.generation()).isEqualTo("schema-2");
            inCode(m).put("row", "v2");
        }
        try (CacheManager m = open("g", null)) {
            assertThat(inCode(m).get("row")).as("no generation configured: no check").isEqualTo("v2");
            assertThat(m.unwrap(Store.class).generation()).as("the recorded one stays").isEqualTo("schema-2");
            assertThat(m.unwrap(Store.class).stats().generationClears()).isZero();
        }
        try (CacheManager m = open("g", "schema-2")) {
            assertThat(inCode(m).get("row")).as("the record outlives a shrink too").isEqualTo("v2");
            m.unwrap(Store.class).shrink();
        }
        try (CacheManager m = open("g", "schema-2")) {
            assertThat(inCode(m).get("row")).isEqualTo("v2");
            assertThat(m.unwrap(Store.class).stats().generationClears()).isZero();
        }
    }

    @Test
    void aLogWrittenWithoutAGenerationIsClearedWhenOneIsFirstConfigured() {
        try (CacheManager m = open("none", null)) {
            inCode(m).put("row", "unknown generation");
        }
        try (CacheManager m = open("none", "7")) {
            assertThat(inCode(m).get("row")).isNull();
            assertThat(m.unwrap(Store.class).stats().generationClears()).isEqualTo(1);
        }
    }

    @Test
    void managersSharingAStoreMustAgreeOnItsGeneration() {
        try (CacheManager first = open("a", "1")) {
            assertThatThrownBy(() -> open("b", "2")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("store.generation: is '2', but the store")
                    .hasMessageContaining("with generation '1'");
            try (CacheManager same = open("c", "1")) {
                assertThat(same.unwrap(Store.class)).isSameAs(first.unwrap(Store.class));
            }
        }
    }

    @Test
    void aBlankGenerationIsAConfigurationError() {
        assertThatThrownBy(() -> open("blank", " ")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.generation: must be a non-empty string");
    }
}
