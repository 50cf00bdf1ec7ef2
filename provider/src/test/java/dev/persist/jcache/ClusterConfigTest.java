package dev.persist.jcache;

import dev.persist.jcache.config.ClusterMode;
import dev.persist.jcache.config.ClusterSettings;
import dev.persist.jcache.config.ConfigException;
import dev.persist.jcache.config.ConfigResolver;
import dev.persist.jcache.config.ManagerSettings;
import dev.persist.store.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code cluster} setting and a cache's {@code cluster} mode and {@code replicated} durability: values, defaults,
 * Properties overrides and errors (docs/cluster.md); and an unreachable broker is an error at open naming the key.
 * The cluster's behaviour with a real broker is tested in the cluster-tests module.
 */
class ClusterConfigTest {
    private static final String K = "cluster: { kafka: { bootstrapServers: 'h:9092', topic: t }";

    @TempDir
    Path dir;

    private ManagerSettings parse(String yaml, Properties props) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, yaml);
        return ConfigResolver.resolve(file.toUri(), getClass().getClassLoader(), props);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cluster: {}                                                    | cluster.kafka                     | is required",
            "cluster: { kafka: { topic: t } }                               | cluster.kafka.bootstrapServers    | is required",
            "cluster: { kafka: { bootstrapServers: 'h:1' } }                | cluster.kafka.topic               | is required",
            K + ", mode: broadcast }                                        | cluster.mode                      | must be one of invalidate, replicate",
            K + ", mode: off }                                              | cluster.mode                      | off is a per-cache setting",
            K + ", modes: replicate }                                       | cluster.modes                     | allowed here: catchUpTimeout, connectTimeout, kafka, mode, nodeId, replicatedTimeout",
            K + ", catchUpTimeout: soon }                                   | cluster.catchUpTimeout            | positive duration",
            "cluster: { kafka: { bootstrapServers: 'h:1', topic: t, acks: '1' } } | cluster.kafka.acks          | always all",
            "cluster: { kafka: { bootstrapServers: 'h:1', topic: t, group.id: g } } | cluster.kafka.group.id    | no consumer group",
            "{ " + K + " }, caches: { u: { cluster: sometimes } } }         | caches.u.cluster                  | must be one of invalidate, replicate, off",
            "{ " + K + " }, caches: { u: { durability: { put: replicated } } } } | caches.u.durability.put           | applies to a whole cache",
            "caches: { u: { durability: replicated } }                      | caches.u.durability               | needs the top-level cluster",
            "defaults: { durability: replicated }                           | defaults.durability               | needs the top-level cluster",
            "{ " + K + " }, caches: { u: { writer: dev.persist.jcache.RecordingWriter, writeBehind: {} } } } | caches.u.cluster | cannot be clustered",
    })
    void wrongValuesAreRefusedNamingTheKey(String yaml, String key, String allowed) {
        assertThatThrownBy(() -> parse(yaml, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key + ":")
                .hasMessageContaining(allowed);
    }

    @Test
    void everyKeyAndItsDefaults() throws Exception {
        ManagerSettings s = parse("""
                cluster:
                  kafka: { bootstrapServers: 'a:9092,b:9092', topic: app, security.protocol: SSL,
                           ssl: { truststore: { location: /t.jks } }, linger.ms: 5 }
                  mode: replicate
                  nodeId: node-1
                  catchUpTimeout: 1m
                caches:
                  books: { durability: replicated }
                  local: { cluster: off }
                  gone: { cluster: invalidate, durability: { default: replicated, put: fsync } }
                """, null);
        ClusterSettings c = s.cluster();
        assertThat(c.bootstrapServers()).isEqualTo("a:9092,b:9092");
        assertThat(c.topic()).isEqualTo("app");
        assertThat(c.clientProperties()).isEqualTo(Map.of("security.protocol", "SSL",
                "ssl.truststore.location", "/t.jks", "linger.ms", "5"));
        assertThat(c.mode()).isEqualTo(ClusterMode.REPLICATE);
        assertThat(c.nodeId()).isEqualTo("node-1");
        assertThat(c.catchUpTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.replicatedTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.cache("books").replicated()).isTrue();
        assertThat(s.cache("books").tiers().put()).isEqualTo(Durability.WRITE);
        assertThat(c.modeOf(s.cache("books"))).isEqualTo(ClusterMode.REPLICATE);
        assertThat(c.modeOf(s.cache("local"))).isEqualTo(ClusterMode.OFF);
        assertThat(s.cache("local").replicated()).isFalse();
        assertThat(c.modeOf(s.cache("gone"))).isEqualTo(ClusterMode.INVALIDATE);
        assertThat(s.cache("gone").replicated()).isTrue();
        assertThat(s.cache("gone").tiers().put()).isEqualTo(Durability.FSYNC);
        assertThat(s.cache("made-in-code").replicated()).isFalse();
        assertThat(parse("cluster: { kafka: { bootstrapServers: 'h:1', topic: t } }", null).cluster().mode())
                .as("default mode").isEqualTo(ClusterMode.INVALIDATE);
        assertThat(parse("store: { path: x.log }", null).cluster()).as("no cluster, no Kafka").isNull();
    }

    @Test
    void defaultsDurabilityReplicatedCoversCachesCreatedInCode() throws Exception {
        ManagerSettings s = parse(K + " }\ndefaults: { durability: replicated }\ncaches: { own: { durability: "
                + "fsync }, plain: {} }", null);
        assertThat(s.cache("made-in-code").replicated()).isTrue();
        assertThat(s.cache("plain").replicated()).isTrue();
        assertThat(s.cache("own").replicated()).as("its own durability replaces the default's").isFalse();
    }

    @Test
    void propertiesOverrideClusterKeys() throws Exception {
        Properties p = new Properties();
        p.setProperty("cluster.kafka.bootstrapServers", "other:9092");
        p.setProperty("cluster.kafka.sasl.mechanism", "PLAIN");
        p.setProperty("cluster.mode", "replicate");
        p.setProperty("caches.books.cluster", "off");
        ManagerSettings s = parse(K + " }\ncaches: { books: {} }", p);
        assertThat(s.cluster().bootstrapServers()).isEqualTo("other:9092");
        assertThat(s.cluster().clientProperties()).containsEntry("sasl.mechanism", "PLAIN");
        assertThat(s.cluster().mode()).isEqualTo(ClusterMode.REPLICATE);
        assertThat(s.cluster().modeOf(s.cache("books"))).isEqualTo(ClusterMode.OFF);
    }

    @Test
    void anUnreachableBrokerIsAnErrorAtOpenNamingTheKey() throws Exception {
        Path file = dir.resolve("down.yaml");
        // port 1: nothing listens there
        Files.writeString(file, """
                store: { path: %s }
                cluster: { kafka: { bootstrapServers: '127.0.0.1:1', topic: t }, connectTimeout: 2s }
                caches: { books: {} }
                """.formatted(dir.resolve("down.log")));
        long start = System.nanoTime();
        assertThatThrownBy(() -> new PersistCachingProvider().getCacheManager(file.toUri(),
                getClass().getClassLoader()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.kafka.bootstrapServers:")
                .hasMessageContaining("cannot reach Kafka at 127.0.0.1:1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        // the store was released: the same file opens again, without cluster
        Files.writeString(file, "store: { path: %s }\n".formatted(dir.resolve("down.log")));
        new PersistCachingProvider().getCacheManager(file.toUri(), getClass().getClassLoader()).close();
    }
}
