package dev.persist.examples.disk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the example twice in JVMs of its own with a 64 MB heap on one store directory: 200,000 documents of 1 KB are
 * about three times the heap.
 */
class LargerThanHeapTest {
    @TempDir
    Path dir;

    @Test
    void aCacheThreeTimesTheHeapIsWrittenAndReadBackAfterARestart() throws Exception {
        List<String> first = run();
        // at most 64: some collectors report the heap less a survivor space
        String heap = first.stream().filter(l -> l.startsWith("heap: at most ")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(heap.replaceAll("[^0-9]", ""))).isBetween(32, 64);
        assertThat(first).anyMatch(l -> l.startsWith("wrote 200000 documents (190 MB of text)"));
        assertThat(first).anyMatch(l -> l.startsWith("on disk: 200000 entries, ")
                && l.contains("in memory: ") && !l.contains("in memory: 200000"));

        List<String> second = run();
        assertThat(second).anyMatch(l -> l.startsWith("reopened: the first get was served ")
                && l.endsWith("the store read its index file, not the values"));
        assertThat(second).anyMatch(l -> l.startsWith("read 2000 random documents back, every one exact"));
        String stats = second.stream().filter(l -> l.startsWith("on disk: ")).findFirst().orElseThrow();
        assertThat(stats).startsWith("on disk: 200000 entries, ");
        long reads = Long.parseLong(stats.substring(stats.lastIndexOf(' ') + 1));
        assertThat(reads).as("gets served from disk, not memory").isGreaterThan(1_000);
        assertThat(Files.exists(dir.resolve("disk-example.log"))).isTrue();
        assertThat(Files.exists(dir.resolve("disk-example.log.index"))).as("written at close").isTrue();
    }

    private List<String> run() throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-Dpersist.jcache.dir=" + dir, "-cp",
                System.getProperty("java.class.path"), LargerThanHeap.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("the example finished").isTrue();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; output: %s", lines).isZero();
        return lines;
    }
}
