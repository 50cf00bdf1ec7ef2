package dev.persist.jcache;

import dev.persist.jcache.config.ConfigException;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.cache.CacheManager;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigErrorsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cachez: {}                                        | cachez                    | allowed here: caches, cluster, defaults, store",
            "store: { path: x.log, sync: 1s }                  | store.sync                | allowed here: autoShrink, generation, path, syncInterval",
            "defaults: { durability: sometimes }               | defaults.durability       | memory, async, write, fsync",
            "store: { syncInterval: soon }                     | store.syncInterval        | positive duration",
            "store: { autoShrink: { ratio: 0.5 } }             | store.autoShrink.ratio    | greater than 1",
            "caches: { u: { maximumSize: -3 } }                | caches.u.maximumSize      | positive whole number",
            "caches: { u: { durability: { put: fast } } }      | caches.u.durability.put   | memory, async, write, fsync",
            "caches: { u: { durability: { get: write } } }     | caches.u.durability.get   | allowed here: default, invoke, load, put, remove",
            "caches: { u: { valueType: com.nope.User } }       | caches.u.valueType        | not found",
            "caches: { u: { codec: json } }                    | caches.u.codec            | needs a valueType",
            "caches: { u: { codec: java.lang.String } }        | caches.u.codec            | json, serializable",
            "caches: { u: { expiry: { afterRead: 1s } } }      | caches.u.expiry.afterRead | allowed here: afterWrite",
            "caches: { u: { maximumSize: 3, maximumWeight: 9 } }| caches.u.maximumWeight    | cannot be set with maximumSize",
            "caches: { u: { sizeLimit: 3 } }                   | caches.u.sizeLimit        | allowed here: cluster, codec, durability, expiry, keyType, loader, maximumSize, maximumWeight, onUnencodable, serialization, statistics, valueType, writeBehind, writer",
            "defaults: { durabilty: write }                    | defaults.durabilty        | allowed here: durability, onUnencodable, serialization, statistics",
            "defaults: { serialization: { allow: [\"!com.example.*\"] } }  | defaults.serialization.allow[0] | must be a class pattern",
            "caches: { u: { serialization: { allow: [com.a.*, \"a;b\"] } } } | caches.u.serialization.allow[1] | got 'a;b'",
            "caches: { u: { serialization: { allow: [\"maxdepth=5\"] } } }  | caches.u.serialization.allow[0] | no '!', ';', '='",
            "caches: { u: { serialization: { allow: [\"  \"] } } }          | caches.u.serialization.allow[0] | got a blank entry",
            "caches: { u: { serialization: { allow: [3] } } }                | caches.u.serialization.allow[0] | must be a class pattern (a string",
            "caches: { u: { serialization: { allow: \"com.a.*, \" } } }     | caches.u.serialization.allow    | got a blank entry",
            "defaults: { serialization: { allow: 3 } }                       | defaults.serialization.allow    | must be a list of class patterns",
            "defaults: { serialization: { allow: { com: x } } }              | defaults.serialization.allow    | must be a list of class patterns",
            "defaults: { serialization: { deny: [com.a.*] } }                | defaults.serialization.deny     | allowed here: allow",
            "caches: { u: { serialization: [com.a.*] } }                     | caches.u.serialization          | must be a mapping",
            "caches: { com.example.Book: { maximumSize: 0 } }                | caches[com.example.Book].maximumSize | positive whole number",
            "defaults: { onUnencodable: ignore }                             | defaults.onUnencodable          | must be one of fail, skip, got 'ignore'",
            "caches: { u: { onUnencodable: [skip] } }                        | caches.u.onUnencodable          | must be one of fail, skip, got [\"skip\"]",
            "caches: { u: { statistics: often } }                            | caches.u.statistics             | must be true or false, got \"often\"",
            "store: { generation: \"\" }                                      | store.generation                | must be a non-empty string of at most 200 characters",
            "store: { generation: { v: 1 } }                                 | store.generation                | must be a non-empty string",
    })
    void errorsNameTheFileTheKeyAndWhatIsAllowed(String yaml, String key, String allowed) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, yaml);
        PersistCachingProvider provider = new PersistCachingProvider();
        assertThatThrownBy(() -> provider.getCacheManager(file.toUri(), getClass().getClassLoader()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(key + ":")
                .hasMessageContaining(allowed);
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(file.toUri(), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not found");
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(
                URI.create("classpath:nope/missing.yaml"), getClass().getClassLoader()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("classpath:nope/missing.yaml");
    }

    @Test
    void propertiesOverrideSingleSettingsAndJsonWorksToo() throws Exception {
        Path file = dir.resolve("app.json");
        Files.writeString(file, """
                { "store": { "path": "%s" }, "caches": { "com.example.Book": { "maximumSize": 5 } } }
                """.formatted(dir.resolve("ignored.log").toString().replace("\\", "\\\\")));
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("chosen.log").toString());
        p.setProperty("caches[com.example.Book].durability", "fsync");
        p.setProperty("spring.unrelated", "left alone");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(file.toUri(), null, p)) {
            PersistCacheManager pm = m.unwrap(PersistCacheManager.class);
            assertThat(m.unwrap(Store.class).path()).isEqualTo(dir.resolve("chosen.log").toAbsolutePath());
            assertThat(pm.settings().cache("com.example.Book").tiers().put().name()).isEqualTo("FSYNC");
            assertThat(pm.settings().cache("com.example.Book").maximumSize()).isEqualTo(5L);
            assertThat(m.getCache("com.example.Book")).isNotNull();
        }
        Properties bad = new Properties();
        bad.setProperty("store.path", dir.resolve("x.log").toString());
        bad.setProperty("defaults.durability", "eventually");
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(file.toUri(), null, bad))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("defaults.durability").hasMessageContaining("eventually");
    }

    @Test
    void aSerializationAllowListFromPropertiesIsCommaSeparatedAndChecked() {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("p.log").toString());
        p.setProperty("defaults.serialization.allow", "com.example.dto.*, com.example.Order");
        p.setProperty("caches[com.example.Book].serialization.allow", "com.example.Book");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("props"), null, p)) {
            PersistCacheManager pm = m.unwrap(PersistCacheManager.class);
            assertThat(pm.settings().serialAllow()).containsExactly("com.example.dto.*", "com.example.Order");
            assertThat(pm.settings().cache("com.example.Book").serialAllow())
                    .containsExactly("com.example.dto.*", "com.example.Order", "com.example.Book");
            assertThat(pm.settings().cache("created.in.code").serialAllow())
                    .containsExactly("com.example.dto.*", "com.example.Order");
        }
        p.setProperty("defaults.serialization.allow", "com.example.*;!*");
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(URI.create("props"), null, p))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedded store props: defaults.serialization.allow: must be a class pattern")
                .hasMessageContaining("com.example.*;!*");
    }

    @Test
    void aSecondProcessOrStoreGetsTheLockError() {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("locked.log").toString());
        try (Store other = Store.open(dir.resolve("locked.log"))) {
            assertThat(other.isOpen()).isTrue();
            assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(URI.create("locked"), null, p))
                    .hasMessageContaining("locked.log").hasMessageContaining("locked");
        }
    }
}
