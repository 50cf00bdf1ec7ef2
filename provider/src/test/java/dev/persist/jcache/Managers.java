package dev.persist.jcache;

import javax.cache.CacheManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Opens managers of one test's store: restart = close, then open again. */
final class Managers {
    private final PersistCachingProvider provider = new PersistCachingProvider();
    private final Path dir;
    private final URI uri;
    private final Properties properties = new Properties();

    /** A manager on an embedded store {@code dir/cache.log}, default tier {@code tier} (or WRITE if null). */
    Managers(Path dir, String tier) {
        this.dir = dir;
        this.uri = URI.create("test-" + dir.getFileName());
        properties.setProperty("store.path", dir.resolve("cache.log").toString());
        if (tier != null) {
            properties.setProperty("defaults.durability", tier);
        }
    }

    /** A manager configured by a YAML file written into {@code dir}. */
    Managers(Path dir, String yamlName, String yaml) {
        this.dir = dir;
        Path file = dir.resolve(yamlName);
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.uri = file.toUri();
        properties.setProperty("store.path", dir.resolve("cache.log").toString());
    }

    CacheManager open() {
        return provider.getCacheManager(uri, getClass().getClassLoader(), properties);
    }

    /** {@link #open()} with one more property, an object (a clock, an executor) if need be. */
    CacheManager openWith(String key, Object value) {
        Properties more = new Properties();
        more.putAll(properties);
        more.put(key, value);
        return provider.getCacheManager(uri, getClass().getClassLoader(), more);
    }

    Path dir() {
        return dir;
    }
}
