package dev.persist.bench;

import dev.persist.jcache.PersistCache;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The crash comparison of write-behind: for this provider and for Ehcache 3 ({@link WriteBehindCaches}), a child JVM
 * makes N acknowledged puts (keys {@code k0..k999}, values {@code v<i>}) and halts ({@code Runtime.halt}: no
 * shutdown hook, no close, as {@code kill -9}); then a new JVM opens the same cache and database again, lets the
 * cache deliver what it still owes, and counts the keys whose row in the H2 table is not their last acknowledged
 * value (missing or stale). Each row is printed as a {@code CRASH} line.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.persist.bench.WriteBehindCrashComparison [N] [rounds]</pre>
 */
public final class WriteBehindCrashComparison {
    private static final int KEYS = 1000;

    private WriteBehindCrashComparison() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Path.of(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int round = 0; round < rounds; round++) {
            for (String impl : List.of("persist-behind", "ehcache-behind")) {
                run(impl, n, round);
            }
        }
    }

    private static void run(String impl, int n, int round) throws Exception {
        Path dir = BenchSupport.freshDir("wb-crash");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    WriteBehindCrashComparison.class.getName(), "child", impl, dir.toString(), String.valueOf(n))
                    .inheritIO().start();
            if (!child.waitFor(300, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException("child did not halt");
            }
            long drainMillis;
            long deliveredAtRestart;
            Map<String, String> rows;
            try (H2Table table = new H2Table(dir)) {
                long rowsBefore = table.readAll().size();
                long t0 = System.nanoTime();
                try (WriteBehindCaches.Opened o = WriteBehindCaches.open(impl, dir, table,
                        URI.create("wb-crash-restart"))) {
                    if (impl.startsWith("persist")) {
                        PersistCache<?, ?> pc = o.cache().unwrap(PersistCache.class);
                        // delivered by the cache on its own; the wait only tells when it is done
                        while (pc.writeBehind().getPendingCount() > 0) {
                            Thread.sleep(5);
                        }
                    }
                }
                drainMillis = (System.nanoTime() - t0) / 1_000_000;
                deliveredAtRestart = table.rowsWritten();
                rows = table.readAll();
                System.out.printf("rows before the restart: %d%n", rowsBefore);
            }
            int wrong = 0;
            for (int k = 0; k < KEYS; k++) {
                int last = n - 1 - Math.floorMod(n - 1 - k, KEYS);
                if (!("v" + last).equals(rows.get("k" + k))) {
                    wrong++;
                }
            }
            System.out.printf("CRASH round=%d impl=%s acknowledged=%d keys=%d missingOrStale=%d "
                    + "deliveredAfterRestart=%d drainMs=%d%n", round, impl, n, KEYS, wrong, deliveredAtRestart,
                    drainMillis);
        } finally {
            BenchSupport.deleteRecursively(dir);
        }
    }

    private static void child(String impl, Path dir, int n) throws Exception {
        H2Table table = new H2Table(dir);
        WriteBehindCaches.Opened o = WriteBehindCaches.open(impl, dir, table, URI.create("wb-crash-child"));
        for (int i = 0; i < n; i++) {
            o.cache().put("k" + (i % KEYS), "v" + i); // acknowledged when it returns
        }
        System.out.printf("child %s: %d puts acknowledged, %d rows delivered so far; halting%n", impl, n,
                table.rowsWritten());
        System.out.flush();
        Runtime.getRuntime().halt(9);
    }
}
