package dev.persist.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Writes once to the machine's free memory, so that the page cache a benchmark grows into next comes from memory
 * the hypervisor already backs.
 *
 * <p>Why: on the virtual machines these benchmarks run on, memory the guest frees is handed back to the host, and
 * the first write to such a page costs the host a fault (about 10 microseconds per 4 KB page here, see
 * benchmarks/README.md, "The put and the machine's free memory"). A log that appends grows the page cache by one
 * new page per 4 KB written and pays it on every page; a store that rewrites its file in place (Ehcache's disk tier)
 * does not. A server that has run a while has its memory full of page cache, whose pages the kernel reuses without
 * the host: this puts the benchmark's machine into that state. It does not evict the page cache: it takes only what
 * {@code /proc/meminfo} reports free, less a margin.
 *
 * <p>How: a child JVM with a heap of that size and {@code -XX:+AlwaysPreTouch}, which writes every page of its heap
 * at start and exits. The hypervisor reclaims freed memory again within minutes, so this runs right before the
 * trial that needs it ({@link DiskPutBenchmark}, with {@code BENCH_DISK_TOUCH_FREE=1}).
 *
 * <p>A diagnostic, off by default: the effect lasts only until the trial's appends have used the memory touched
 * and the host has taken back what was freed (about the first 10 seconds of puts here), so it shows the cost, it
 * does not remove it. The figures are measured without it.
 */
final class FreeMemoryTouch {
    /** Left free for the benchmark's own JVM and the kernel. */
    private static final long MARGIN_MB = 1536;
    /** Below this, touching is not worth a JVM start. */
    private static final long MIN_MB = 256;

    private FreeMemoryTouch() {
    }

    /** @return whether the environment asks for it: {@code BENCH_DISK_TOUCH_FREE=1} */
    static boolean enabled() {
        String v = System.getenv("BENCH_DISK_TOUCH_FREE");
        return v != null && v.trim().equals("1");
    }

    /** Touches the free memory and prints a {@code TOUCHFREE} line: megabytes, seconds, milliseconds per GB. */
    static void run(String label) {
        long freeMb = freeMegabytes();
        long mb = freeMb - MARGIN_MB;
        if (mb < MIN_MB) {
            System.out.printf(Locale.ROOT, "%nTOUCHFREE %s skipped freeMB=%d%n", label, freeMb);
            return;
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch", "-Xms" + mb + "m",
                "-Xmx" + mb + "m", "-version");
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("touching " + mb + " MB took more than 10 minutes: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("touching " + mb + " MB failed, exit " + p.exitValue() + ": " + cmd);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%nTOUCHFREE %s touchedMB=%d freeMB=%d seconds=%.1f msPerGB=%.0f%n", label, mb,
                freeMb, seconds, seconds * 1000 / (mb / 1024.0));
    }

    /** @return MemFree of {@code /proc/meminfo} in MB, or 0 where there is none (not Linux) */
    static long freeMegabytes() {
        Path meminfo = Path.of("/proc/meminfo");
        if (!Files.isReadable(meminfo)) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemFree:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Standalone: {@code java -cp benchmarks.jar dev.persist.bench.FreeMemoryTouch}. */
    public static void main(String[] args) {
        run("standalone");
    }
}
