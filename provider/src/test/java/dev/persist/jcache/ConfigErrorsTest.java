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
            "store: { path: x.log, sync: 1s }                  | store.sync                | allowed here: asyncBacklog, autoShrink, generation, mappedAppends, mappedReads, path, segmentBytes, syncInterval",
            "defaults: { durability: sometimes }               | defaults.durability       | memory, async, write, fsync",
            "store: { syncInterval: soon }                     | store.syncInterval        | positive duration",
            "store: { autoShrink: { ratio: 0.5 } }             | store.autoShrink.ratio    | greater than 1",
            "store: { segmentBytes: 100 }                      | store.segmentBytes        | from 512B to 4GB",
            "store: { asyncBacklog: 0B }                       | store.asyncBacklog        | must be a positive size such as",
            "store: { mappedReads: sometimes }                 | store.mappedReads         | must be true or false",
            "store: { mappedAppends: 1 }                       | store.mappedAppends       | must be true or false",
            "store: { asyncBacklog: lots }                     | store.asyncBacklog        | must be a positive size such as",
            "caches: { u: { maximumSize: -3 } }                | caches.u.maximumSize      | positive whole number",
            "caches: { u: { durability: { put: fast } } }      | caches.u.durability.put   | memory, async, write, fsync",
            "caches: { u: { durability: { get: write } } }     | caches.u.durability.get   | allowed here: default, invoke, load, put, remove",
            "caches: { u: { valueType: com.nope.User } }       | caches.u.valueType        | not found",
            "caches: { u: { codec: json } }                    | caches.u.codec            | needs a valueType",
            "caches: { u: { codec: java.lang.String } }        | caches.u.codec            | json, serializable",
            "caches: { u: { expiry: { afterRead: 1s } } }      | caches.u.expiry.afterRead | allowed here: afterWrite",
            "caches: { u: { maximumSize: 3, maximumWeight: 9 } }| caches.u.maximumWeight    | cannot be set with maximumSize",
            "caches: { u: { sizeLimit: 3 } }                   | caches.u.sizeLimit        | allowed here: cluster, codec, disk, durability, expiry, keyType, loader, maximumSize, maximumWeight, memory, onUnencodable, serialization, statistics, valueType, writeBehind, writer",
            "defaults: { durabilty: write }                    | defaults.durabilty        | allowed here: disk, durability, memory, onUnencodable, serialization, statistics",
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
            "caches: { u: { disk: {} } }                                      | caches.u.disk.maximumBytes      | is required: the most bytes of live records",
            "caches: { u: { disk: { maximumBytes: 4XB } } }                  | caches.u.disk.maximumBytes      | must be a positive size such as 1048576, 512MB, 20GB or 1TB",
            "caches: { u: { disk: { maximumBytes: 0 } } }                    | caches.u.disk.maximumBytes      | must be a positive size",
            "caches: { u: { disk: { maximumBytes: 99999999999TB } } }         | caches.u.disk.maximumBytes      | must be a positive size",
            "caches: { u: { disk: { size: 1GB } } }                          | caches.u.disk.size              | allowed here: maximumBytes",
            "caches: { u: { disk: 1GB } }                                    | caches.u.disk                   | must be a mapping",
            "caches: { u: { maximumSize: 5, disk: { maximumBytes: 1GB } } }  | caches.u.maximumSize            | cannot be set with disk",
            "caches: { u: { durability: memory, disk: { maximumBytes: 1GB } } } | caches.u.durability          | which a cache with disk cannot have",
            "caches: { u: { durability: { load: memory }, disk: { maximumBytes: 1GB } } } | caches.u.durability | is memory for load, which a cache with disk cannot have",
            "{ defaults: { durability: memory }, caches: { u: { disk: { maximumBytes: 1GB } } } } | caches.u.durability (from defaults.durability) | allowed: async, write, fsync",
            "caches: { u: { memory: { maximumSize: 1, maximumWeight: 2 } } } | caches.u.memory.maximumWeight   | cannot be set with maximumSize",
            "caches: { u: { memory: { entries: 1 } } }                       | caches.u.memory.entries         | allowed here: maximumSize, maximumWeight",
            "caches: { u: { memory: { maximumSize: 0 } } }                   | caches.u.memory.maximumSize     | positive whole number",
            "caches: { u: { maximumSize: 1, memory: { maximumSize: 2 } } }   | caches.u.memory                 | cannot be set with maximumSize beside it",
            "{ defaults: { durability: async, disk: { maximumBytes: 1GB } }, caches: { u: { durability: memory } } } | caches.u.durability | (its disk comes from defaults.disk) cannot have",
            "defaults: { durability: memory, disk: { maximumBytes: 1GB } }    | defaults.durability             | is memory for",
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
