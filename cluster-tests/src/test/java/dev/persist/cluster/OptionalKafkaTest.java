package dev.persist.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kafka-clients is an optional dependency of the provider: without it on the class path a store without
 * {@code cluster} works, and one with {@code cluster} is a configuration error naming the key and the dependency.
 */
class OptionalKafkaTest {
    @TempDir
    Path dir;

    private String run(boolean withKafka) throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> withKafka || !Path.of(e).getFileName().toString().startsWith("kafka"))
                .collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", cp, WithoutKafkaMain.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void withoutKafkaClientsAClusterIsAnErrorNamingTheKeyAndEverythingElseWorks() throws Exception {
        String out = run(false);
        assertThat(out).contains("plain ok");
        assertThat(out).contains("error dev.persist.jcache.config.ConfigException")
                .contains("cluster: needs Kafka's client on the class path")
                .contains("org.apache.kafka:kafka-clients");
        assertThat(out).doesNotContain("NoClassDefFoundError");
    }

    @Test
    void controlWithKafkaClientsTheSameFileGetsAsFarAsTheBroker() throws Exception {
        // the checker above must see the difference: with the jars, the error is the unreachable broker
        String out = run(true);
        assertThat(out).contains("plain ok").doesNotContain("needs Kafka's client");
    }
}
