package dev.persist.jcache;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A child JVM killed (SIGKILL) in the middle of puts loses no put it acknowledged at WRITE or FSYNC. */
class CrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"write", "fsync"})
    void noAcknowledgedPutIsLost(String tier) throws Exception {
        Path log = dir.resolve("crash.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), log.toString(), tier))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int lastAck = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    lastAck = Integer.parseInt(line.substring(4));
                    if (lastAck >= 300) {
                        child.destroyForcibly(); // no shutdown hook, no close: as a crash
                        break;
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(lastAck).as("acknowledged puts before the kill").isGreaterThanOrEqualTo(300);

        Properties p = new Properties();
        p.setProperty("store.path", log.toString());
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("crash"), null, p)) {
            Cache<String, String> c = m.createCache("c", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            for (int i = 0; i <= lastAck; i++) {
                assertThat(c.get("k" + i)).as("acknowledged put k%d", i).isEqualTo("v" + i);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void asyncChangesAreWrittenWhenTheJvmExitsWithoutClosing() throws Exception {
        Path log = dir.resolve("exit.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), log.toString(), "async", "500"))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        Properties p = new Properties();
        p.setProperty("store.path", log.toString());
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("exit"), null, p)) {
            Cache<String, String> c = m.createCache("c", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            for (int i = 0; i < 500; i++) {
                assertThat(c.get("k" + i)).as("async put k%d", i).isEqualTo("v" + i);
            }
        }
    }
}
