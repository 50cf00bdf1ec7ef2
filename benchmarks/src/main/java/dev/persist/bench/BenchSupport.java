package dev.persist.bench;

import dev.persist.store.StoreStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temp directories, key pools and heap measurement shared by the benchmarks. */
final class BenchSupport {
    private BenchSupport() {
    }

    /**
     * A fresh directory for one trial's store: under {@code $BENCH_DIR} if set (the forked JMH VM inherits the
     * environment), else under {@code java.io.tmpdir}.
     */
    static Path freshDir(String prefix) {
        try {
            String base = System.getenv("BENCH_DIR");
            if (base != null && !base.isBlank()) {
                Path b = Path.of(base);
                Files.createDirectories(b);
                return Files.createTempDirectory(b, prefix);
            }
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything in it; null is ignored. */
    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Used heap after {@code System.gc()}: the least of five tries, 200 ms apart (the footprint measurements of
     * {@link MemoryFootprint} and {@link DiskFootprint}).
     */
    static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Keys "0" .. "n-1", as go-persist's benchmark ({@code strconv.Itoa}), built once so the loop does not format. */
    static String[] keyPool(int n) {
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Integer.toString(i);
        }
        return keys;
    }

    /**
     * One line per measured iteration, parsed by {@link Report}: what reached the log and how many system calls it
     * took. {@code records} counts log records appended during the iteration window (for WRITE and FSYNC one per
     * set; for ASYNC what the syncer wrote after per-key coalescing).
     */
    static void printLogLine(String benchmark, String tier, int threads, int iteration, StoreStats before,
                             StoreStats after, long nanos) {
        long records = after.logRecords() - before.logRecords();
        long writes = after.writeCalls() - before.writeCalls();
        long syncs = after.syncCalls() - before.syncCalls();
        System.out.printf("%nLOGSTATS benchmark=%s tier=%s threads=%d iteration=%d seconds=%.3f records=%d "
                        + "writeCalls=%d syncCalls=%d records/write=%.1f records/fsync=%.1f%n",
                benchmark, tier, threads, iteration, nanos / 1e9, records, writes, syncs,
                writes == 0 ? 0.0 : (double) records / writes, syncs == 0 ? 0.0 : (double) records / syncs);
    }
}
