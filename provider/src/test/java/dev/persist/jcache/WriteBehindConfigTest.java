package dev.persist.jcache;

import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.ConfigException;
import dev.persist.jcache.config.WriteBehindSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.cache.CacheManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The keys writer, loader and writeBehind: values, defaults, Properties overrides and errors. */
class WriteBehindConfigTest {
    private static final String W = "writer: dev.persist.jcache.RecordingWriter, ";

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "caches: { u: { " + W + "writeBehind: { delay: soon } } }          | caches.u.writeBehind.delay        | positive duration",
            "caches: { u: { " + W + "writeBehind: { delay: 0s } } }            | caches.u.writeBehind.delay        | positive duration",
            "caches: { u: { " + W + "writeBehind: { batchSize: 0 } } }         | caches.u.writeBehind.batchSize    | positive whole number",
            "caches: { u: { " + W + "writeBehind: { batchSize: 2000000 } } }   | caches.u.writeBehind.batchSize    | from 1 to 1000000",
            "caches: { u: { " + W + "writeBehind: { coalesce: false } } }      | caches.u.writeBehind.coalesce     | must be true",
            "caches: { u: { " + W + "writeBehind: { retry: { initial: 5s, max: 1s } } } } | caches.u.writeBehind.retry.max | not be shorter than retry.initial",
            "caches: { u: { " + W + "writeBehind: { retry: { every: 1s } } } } | caches.u.writeBehind.retry.every  | allowed here: giveUpAfter, initial, max",
            "caches: { u: { " + W + "writeBehind: { retry: { giveUpAfter: -1s } } } } | caches.u.writeBehind.retry.giveUpAfter | positive duration",
            "caches: { u: { " + W + "writeBehind: { flushOnClose: never } } }  | caches.u.writeBehind.flushOnClose | positive duration",
            "caches: { u: { " + W + "writeBehind: { delayy: 1s } } }           | caches.u.writeBehind.delayy       | allowed here: batchSize, coalesce, delay, flushOnClose, retry",
            "caches: { u: { " + W + "writeBehind: 5 } }                        | caches.u.writeBehind              | must be a mapping",
            "caches: { u: { writer: com.nope.Writer } }                        | caches.u.writer                   | not found",
            "caches: { u: { writer: java.lang.String } }                       | caches.u.writer                   | implements neither javax.cache.integration.CacheWriter nor javax.cache.configuration.Factory",
            "caches: { u: { loader: java.lang.Integer } }                      | caches.u.loader                   | implements neither javax.cache.integration.CacheLoader",
            "caches: { u: { writer: dev.persist.jcache.WriteBehindConfigTest$NoDefaultConstructor } } | caches.u.writer | no public no-argument constructor",
    })
    void wrongValuesAreRefusedNamingTheFileTheKeyAndWhatIsAllowed(String yaml, String key, String allowed)
            throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, yaml);
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(file.toUri(), getClass().getClassLoader()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(key + ":")
                .hasMessageContaining(allowed);
    }

    @Test
    void defaultsAndEveryKeyFromTheFile() throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                store: { path: %s }
                caches:
                  plain: { writer: dev.persist.jcache.RecordingWriter, writeBehind: {} }
                  tuned:
                    writer: dev.persist.jcache.RecordingWriter
                    loader: dev.persist.jcache.RecordingLoader
                    writeBehind: { delay: 250ms, batchSize: 42, coalesce: true, flushOnClose: 2s,
                                   retry: { initial: 100ms, max: 1m, giveUpAfter: 1h } }
                """.formatted(dir.resolve("ok.log")));
        try (CacheManager m = new PersistCachingProvider().getCacheManager(file.toUri(), getClass().getClassLoader())) {
            PersistCacheManager pm = m.unwrap(PersistCacheManager.class);
            assertThat(pm.settings().cache("plain").integration().writeBehind()).isEqualTo(WriteBehindSettings.DEFAULTS);
            CacheSettings tuned = pm.settings().cache("tuned");
            assertThat(tuned.integration().writeBehind()).isEqualTo(new WriteBehindSettings(Duration.ofMillis(250), 42,
                    true, Duration.ofMillis(100), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofSeconds(2)));
            assertThat(tuned.integration().loader()).isEqualTo(RecordingLoader.class);
            assertThat(m.getCache("tuned").getConfiguration(javax.cache.configuration.CompleteConfiguration.class)
                    .isReadThrough()).isTrue();
        }
    }

    @Test
    void propertiesOverrideSingleWriteBehindSettings() {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("p.log").toString());
        p.setProperty("caches[com.example.Orders].writer", RecordingWriter.class.getName());
        p.setProperty("caches[com.example.Orders].writeBehind.batchSize", "9");
        p.setProperty("caches[com.example.Orders].writeBehind.retry.max", "2m");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(java.net.URI.create("wb-props"),
                getClass().getClassLoader(), p)) {
            WriteBehindSettings s = m.unwrap(PersistCacheManager.class).settings().cache("com.example.Orders")
                    .integration().writeBehind();
            assertThat(s.batchSize()).isEqualTo(9);
            assertThat(s.retryMax()).isEqualTo(Duration.ofMinutes(2));
            assertThat(s.delay()).isEqualTo(WriteBehindSettings.DEFAULTS.delay());
            assertThat(m.getCache("com.example.Orders").unwrap(PersistCache.class).writeBehind()).isNotNull();
        }
        p.setProperty("caches[com.example.Orders].writeBehind.coalesce", "no");
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(java.net.URI.create("wb-props-2"),
                getClass().getClassLoader(), p))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("caches[com.example.Orders].writeBehind.coalesce: must be true");
    }

    @Test
    void aFactoryClassIsAcceptedAndAFactoryOfTheWrongKindIsRefusedWhenTheCacheIsCreated() throws Exception {
        Path file = dir.resolve("f.yaml");
        Files.writeString(file, """
                store: { path: %s }
                caches:
                  viaFactory: { writer: dev.persist.jcache.WriteBehindConfigTest$WriterFactory, writeBehind: {} }
                """.formatted(dir.resolve("f.log")));
        try (CacheManager m = new PersistCachingProvider().getCacheManager(file.toUri(), getClass().getClassLoader())) {
            assertThat(m.getCache("viaFactory").unwrap(PersistCache.class).writeBehind()).isNotNull();
        }
        Files.writeString(file, """
                store: { path: %s }
                caches:
                  wrong: { writer: dev.persist.jcache.WriteBehindConfigTest$StringFactory }
                """.formatted(dir.resolve("f.log")));
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(file.toUri(),
                getClass().getClassLoader()))
                .hasMessageContaining("caches.wrong.writer")
                .hasMessageContaining("not a javax.cache.integration.CacheWriter");
    }

    /** A writer class without a no-argument constructor. */
    public static final class NoDefaultConstructor extends RecordingWriter {
        public NoDefaultConstructor(String unused) {
        }
    }

    /** A factory of writers, as a configuration may name one. */
    public static final class WriterFactory implements javax.cache.configuration.Factory<RecordingWriter> {
        @Override
        public RecordingWriter create() {
            return new RecordingWriter();
        }
    }

    /** A factory of something else. */
    public static final class StringFactory implements javax.cache.configuration.Factory<String> {
        @Override
        public String create() {
            return "not a writer";
        }
    }
}
