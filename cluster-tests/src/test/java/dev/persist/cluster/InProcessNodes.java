package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;
import dev.persist.jcache.PersistCachingProvider;

import javax.cache.CacheManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Cache managers of distinct stores in this JVM, each a node of the cluster of one topic. */
final class InProcessNodes {
    private final PersistCachingProvider provider = new PersistCachingProvider();
    private final Path dir;
    private final EmbeddedKafka kafka;
    private final String topic;

    InProcessNodes(Path dir, EmbeddedKafka kafka, String topic) {
        this.dir = dir;
        this.kafka = kafka;
        this.topic = topic;
    }

    /**
     * Opens node {@code id}'s manager: its store is {@code dir/id/cache.log}; {@code caches} is the YAML of its
     * caches mapping (may be empty), {@code extra} more top-level YAML.
     */
    CacheManager open(String id, String mode, String caches) {
        Path d = dir.resolve(id);
        try {
            Files.createDirectories(d);
            Path yaml = d.resolve("node.yaml");
            Files.writeString(yaml, """
                    store: { path: '%s' }
                    cluster:
                      kafka: { bootstrapServers: '%s', topic: %s }
                      mode: %s
                      nodeId: %s
                      catchUpTimeout: 1m
                    caches: %s
                    """.formatted(d.resolve("cache.log"), kafka.bootstrapServers(), topic, mode, id,
                    caches.isBlank() ? "{}" : caches));
            return provider.getCacheManager(yaml.toUri(), getClass().getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the nodes' topic */
    String topic() {
        return topic;
    }

    /** Waits until {@code condition} holds, at most {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
