package dev.persist.bench;

import dev.persist.jcache.PersistCachingProvider;

import javax.cache.CacheManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Cache managers of the cluster benchmarks: one store each, clustered through a topic or not. */
final class ClusterNodes {
    private ClusterNodes() {
    }

    /**
     * @param dir        the node's directory
     * @param node       its id
     * @param bootstrap  the broker, or null for a manager without {@code cluster}
     * @param topic      the topic
     * @param mode       invalidate or replicate
     * @param durability the cache's durability (write, replicated...)
     * @return a manager whose cache {@code bench} holds String keys and values
     */
    static CacheManager open(Path dir, String node, String bootstrap, String topic, String mode, String durability) {
        try {
            Files.createDirectories(dir);
            Path yaml = dir.resolve(node + ".yaml");
            String cluster = bootstrap == null ? "" : """
                    cluster:
                      kafka: { bootstrapServers: '%s', topic: %s }
                      mode: %s
                      nodeId: %s
                    """.formatted(bootstrap, topic, mode, node);
            Files.writeString(yaml, """
                    store: { path: '%s' }
                    %s
                    caches:
                      bench: { keyType: java.lang.String, valueType: java.lang.String, durability: %s }
                    """.formatted(dir.resolve(node + ".log"), cluster, durability));
            return new PersistCachingProvider().getCacheManager(yaml.toUri(), ClusterNodes.class.getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
