package dev.persist.modular;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.persist.jcache.PersistCachingProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import javax.cache.Caching;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provider as a module: a child JVM with the provider's classes and its dependencies on the module path finds
 * it through {@code provides javax.cache.spi.CachingProvider}, uses a persistent cache across two runs, and sees
 * exactly the API packages exported (the other tests run on the class path).
 */
class ModulePathTest {
    @TempDir
    Path dir;

    private static String locationOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private List<String> run() throws Exception {
        String modulePath = Stream.of(PersistCachingProvider.class, Caching.class, Caffeine.class, ObjectMapper.class,
                        JsonFactory.class, com.fasterxml.jackson.annotation.JsonProperty.class, YAMLFactory.class,
                        Yaml.class)
                .map(c -> {
                    try {
                        return locationOf(c);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .distinct().collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath, "--add-modules", "dev.persist.jcache",
                "-cp", locationOf(ModulePathChild.class), ModulePathChild.class.getName(),
                dir.resolve("module.log").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    @Test
    void theModuleProvidesTheCachingProviderExportsOnlyItsApiAndPersists() throws Exception {
        List<String> first = run();
        assertThat(first).contains("module dev.persist.jcache",
                "exported dev.persist.jcache", "exported dev.persist.jcache.config",
                "exported dev.persist.jcache.management", "exported dev.persist.store",
                "internal dev.persist.store.log", "internal dev.persist.jcache.codec",
                "internal dev.persist.jcache.event", "internal dev.persist.jcache.integration",
                "internal dev.persist.jcache.expiry", "internal dev.persist.jcache.processor",
                "value v1");
        assertThat(run()).as("the second run finds what the first wrote").contains("value v2");
        assertThat(Files.exists(dir.resolve("module.log"))).isTrue();
    }
}
