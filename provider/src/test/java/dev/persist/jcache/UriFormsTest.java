package dev.persist.jcache;

import dev.persist.jcache.config.ConfigResolver;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class UriFormsTest {
    @TempDir
    Path dir;

    private Properties storeAt(String file) {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve(file).toString());
        return p;
    }

    @Test
    void theProviderIsFoundAndANullUriIsTheDefault() {
        CachingProvider provider = Caching.getCachingProvider();
        assertThat(provider).isInstanceOf(PersistCachingProvider.class);
        assertThat(provider.getDefaultURI()).isEqualTo(ConfigResolver.DEFAULT_URI);
        PersistCachingProvider own = new PersistCachingProvider();
        try (CacheManager m = own.getCacheManager(null, null, storeAt("default.log"))) {
            assertThat(m.getURI()).isEqualTo(own.getDefaultURI());
            assertThat(m.unwrap(Store.class).path()).isEqualTo(dir.resolve("default.log").toAbsolutePath());
        }
    }

    @Test
    void classpathUri() {
        try (CacheManager m = new PersistCachingProvider().getCacheManager(
                URI.create("classpath:persist-jcache-test.yaml"), getClass().getClassLoader(), storeAt("cp.log"))) {
            assertThat(m.getCacheNames()).containsExactly("com.example.Book", "sessions");
        }
    }

    @Test
    void jarUriAsSpringBootPassesIt() throws Exception {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("BOOT-INF/classes/cache.yml"));
            out.write("caches:\n  inJar: { durability: fsync }\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        URI uri = URI.create("jar:" + jar.toUri() + "!/BOOT-INF/classes/cache.yml");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(uri, null, storeAt("jar.log"))) {
            assertThat(m.getCacheNames()).containsExactly("inJar");
        }
    }

    @Test
    void relativeFileUriIsRelativeToTheWorkingDirectory() throws Exception {
        Path relative = Path.of("target", "uri-forms-" + System.nanoTime() + ".yaml");
        Files.createDirectories(relative.getParent());
        Files.writeString(relative, "caches: { relative: {} }\n");
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("file:" + relative), null,
                storeAt("relative.log"))) {
            assertThat(m.getCacheNames()).containsExactly("relative");
        } finally {
            Files.deleteIfExists(relative);
        }
    }

    @Test
    void plainPathAndOtherUris() throws Exception {
        Path yaml = dir.resolve("plain.yaml");
        Files.writeString(yaml, "caches: { plain: {} }\n");
        try (OutputStream ignored = Files.newOutputStream(dir.resolve("marker"))) {
            // a plain path is relative to the working directory; an absolute one works as well
        }
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create(yaml.toString()), null,
                storeAt("plain.log"))) {
            assertThat(m.getCacheNames()).containsExactly("plain");
        }
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("urn:some-app"), null,
                storeAt("other.log"))) {
            assertThat(m.getCacheNames()).isEmpty();
            assertThat(m.unwrap(Store.class).path()).isEqualTo(dir.resolve("other.log").toAbsolutePath());
        }
    }

    @Test
    void relativePathIsResolvedAgainstTheWorkingDirectory() throws Exception {
        // under Surefire the working directory is the module's directory, not the repository's: the file goes into
        // a directory of its own there (under target/ when there is one), named by a path relative to it
        Path cwd = Path.of("").toAbsolutePath();
        assertThat(cwd.toString()).isEqualTo(Path.of(System.getProperty("user.dir")).toAbsolutePath().toString());
        Path parent = Files.isDirectory(cwd.resolve("target")) ? cwd.resolve("target") : cwd;
        Path own = Files.createTempDirectory(parent, "uri-forms-");
        try {
            Path yaml = own.resolve("config/x.yaml");
            Files.createDirectories(yaml.getParent());
            Files.writeString(yaml, "caches: { relative: {} }\n");
            String relative = cwd.relativize(yaml).toString();
            assertThat(relative).endsWith("config/x.yaml").doesNotStartWith("/").doesNotStartWith("..");
            assertThat(dir.resolve(relative)).as("not found relative to the test's directory").doesNotExist();
            try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create(relative), null,
                    storeAt("relative.log"))) {
                assertThat(m.getCacheNames()).containsExactly("relative");
                assertThat(m.getURI()).isEqualTo(URI.create(relative));
            }
        } finally {
            try (var files = Files.walk(own)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Test
    void managersOfOneFileShareOneStore() {
        PersistCachingProvider provider = new PersistCachingProvider();
        ClassLoader other = new ClassLoader(getClass().getClassLoader()) {
        };
        CacheManager a = provider.getCacheManager(URI.create("shared"), getClass().getClassLoader(),
                storeAt("shared.log"));
        CacheManager b = provider.getCacheManager(URI.create("shared"), other, storeAt("shared.log"));
        assertThat(a).isNotSameAs(b);
        assertThat(a.unwrap(Store.class)).isSameAs(b.unwrap(Store.class));
        a.close();
        assertThat(b.unwrap(Store.class).isOpen()).isTrue();
        b.close();
        assertThat(b.unwrap(Store.class).isOpen()).isFalse();
    }
}
