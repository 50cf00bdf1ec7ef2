package dev.persist.store;

import dev.persist.store.log.IndexHint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A measurement, not a test (run by hand, see docs/disk.md): writes N entries to a disk-backed map, closes, and
 * reports how long a reopen takes until the first get is served, with the index file and with a full scan, and the
 * heap the index takes per entry.
 *
 * <pre>
 * java -Xmx1g -cp provider/target/classes:provider/target/test-classes dev.persist.store.DiskReopenMeasure DIR [N]
 * </pre>
 */
public final class DiskReopenMeasure {
    private DiskReopenMeasure() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        Path log = dir.resolve("measure.log");
        Files.deleteIfExists(log);
        Files.deleteIfExists(IndexHint.pathOf(log));
        StoreOptions options = StoreOptions.defaults().syncInterval(Duration.ofSeconds(1)).diskNamespaces("d"::equals);
        String value = "v".repeat(100);
        long t0 = System.nanoTime();
        try (Store store = Store.open(log, options)) {
            PersistMap<String, String> d = store.map(config(new ConcurrentHashMap<>()));
            for (int i = 0; i < n; i++) {
                d.set(key(i), value, Durability.ASYNC);
                if (i % 100_000 == 0) {
                    d.sync();
                }
            }
        }
        System.out.printf("wrote %,d entries (%,d bytes of log) in %d ms%n", n, Files.size(log),
                (System.nanoTime() - t0) / 1_000_000);
        System.out.printf("index file: %,d bytes%n", Files.size(IndexHint.pathOf(log)));
        for (int round = 0; round < 3; round++) {
            reopen(log, options, n, true);
        }
        Files.copy(IndexHint.pathOf(log), dir.resolve("kept.index"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(IndexHint.pathOf(log));
        reopen(log, options, n, false);
        Files.deleteIfExists(log);
        Files.deleteIfExists(IndexHint.pathOf(log));
        Files.deleteIfExists(dir.resolve("kept.index"));
    }

    private static void reopen(Path log, StoreOptions options, int n, boolean expectIndex) {
        long before = usedHeap();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long gc0 = gcMillis();
        long t0 = System.nanoTime();
        Store store = Store.open(log, options);
        PersistMap<String, String> d = store.map(config(new ConcurrentHashMap<>()));
        String first = d.get(key(n / 2));
        long firstGet = System.nanoTime() - t0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long gc = gcMillis() - gc0;
        long after = usedHeap();
        if (first == null || store.openedFromIndex() != expectIndex) {
            throw new AssertionError("first get " + first + ", from index " + store.openedFromIndex());
        }
        System.out.printf("reopen %s: first get after %d ms (%d ms of CPU on the opening thread, %d ms in GC); heap "
                        + "%,d bytes for %,d keys = %.1f bytes/entry (keys of %d bytes)%n",
                expectIndex ? "from the index file" : "with a full scan", firstGet / 1_000_000, cpu / 1_000_000, gc,
                after - before, d.size(), (after - before) / (double) n, key(0).length());
        // a close without changes rewrites the index file: not part of the open
        store.close();
    }

    private static MapConfig<String, String> config(ConcurrentHashMap<String, String> front) {
        return MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front).disk(1L << 40);
    }

    private static String key(int i) {
        return String.format("key-%07d", i);
    }

    private static long gcMillis() {
        long sum = 0;
        for (java.lang.management.GarbageCollectorMXBean gc
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
