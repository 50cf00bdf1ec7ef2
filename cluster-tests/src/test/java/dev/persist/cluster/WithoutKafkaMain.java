package dev.persist.cluster;

import dev.persist.jcache.PersistCachingProvider;

import javax.cache.CacheManager;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run on a class path without Kafka's jars: opens a manager without {@code cluster} (prints {@code plain ok}), then
 * one with it (prints the error).
 */
public final class WithoutKafkaMain {
    private WithoutKafkaMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path plain = dir.resolve("plain.yaml");
        Files.writeString(plain, "store: { path: '" + dir.resolve("plain.log") + "' }\ncaches: { c: {} }\n");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(plain.toUri(),
                WithoutKafkaMain.class.getClassLoader())) {
            m.getCache("c").put("k", "v");
            System.out.println("plain ok");
        }
        Path clustered = dir.resolve("clustered.yaml");
        Files.writeString(clustered, "store: { path: '" + dir.resolve("clustered.log") + "' }\n"
                + "cluster: { kafka: { bootstrapServers: '127.0.0.1:1', topic: t }, connectTimeout: 2s }\ncaches: { c: {} }\n");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(clustered.toUri(),
                WithoutKafkaMain.class.getClassLoader())) {
            System.out.println("clustered opened");
        } catch (RuntimeException e) {
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
