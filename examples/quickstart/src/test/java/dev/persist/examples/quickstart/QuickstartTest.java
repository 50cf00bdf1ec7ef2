package dev.persist.examples.quickstart;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the quickstart twice, each in a JVM of its own on one store directory, as a user would. */
class QuickstartTest {
    @TempDir
    Path dir;

    @Test
    void secondRunFindsWhatTheFirstWrote() throws Exception {
        List<String> first = run();
        assertThat(first).contains("found 0 entries from earlier runs");
        String written = first.stream().filter(l -> l.startsWith("wrote run-001 = ")).findFirst().orElseThrow();
        String value = written.substring("wrote run-001 = ".length());

        List<String> second = run();
        assertThat(second).contains("found 1 entries from earlier runs", "  found run-001 = " + value);
        assertThat(second).anyMatch(l -> l.startsWith("wrote run-002 = "));
        assertThat(Files.exists(dir.resolve("default.log"))).isTrue();
    }

    private List<String> run() throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Dpersist.jcache.dir=" + dir, "-cp", System.getProperty("java.class.path"),
                Quickstart.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("quickstart finished").isTrue();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; output: %s", lines).isZero();
        return lines;
    }
}
