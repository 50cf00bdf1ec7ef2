package dev.persist.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Issue 12, heap per disk-resident entry, measured as {@link MemoryFootprint} does (used heap after repeated
 * {@code System.gc()}, difference divided by entries), on the 2M-entry data set ({@link DiskDataSet}, built first
 * if missing), in a JVM of its own:
 * <ol>
 *   <li>{@code before}: nothing open yet (the data set built by another JVM);</li>
 *   <li>{@code afterClose}: after one open, get and close (class loading): should be about {@code before};</li>
 *   <li>{@code reopened}: the data set reopened and {@code get("0")} served (this provider's caches settled):
 *       the front is (nearly) empty, every entry is disk-resident;</li>
 *   <li>{@code readAll}: after one {@code get} of every key, so the front holds its 100,000 entries.</li>
 * </ol>
 * Prints {@code DISKFOOTPRINT impl=... entries=... phase=afterClose|reopened|readAll bytes/entry=...} and the key's own bytes
 * (a {@code String} of Latin-1 digits, compact strings and compressed oops: 24-byte object + byte[] of 16 + length
 * rounded up to 8), read by {@link DiskReport}; the target is bytes/entry of {@code reopened} <= 80 + key bytes.
 *
 * <pre>java -Xms512m -Xmx512m -cp benchmarks.jar dev.persist.bench.DiskFootprint persist-disk 2000000</pre>
 */
public final class DiskFootprint {
    private DiskFootprint() {
    }

    public static void main(String[] args) throws Exception {
        String impl = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        Path dir = DiskDataSet.ensure(impl, n);
        DiskDataSet.warmPageCache(dir);
        long before = BenchSupport.usedHeapAfterGc();
        // open, get, close once first (class loading, JIT); what it leaves behind after the close is printed as the
        // phase afterClose (a leak check) and stays in the numbers of the phases after it
        openGetClose(impl, dir);
        print(impl, n, "afterClose", before, BenchSupport.usedHeapAfterGc());
        try (DiskDataSet.Opened o = DiskDataSet.open(impl, dir)) {
            if (o.cache().get("0") == null) {
                throw new IllegalStateException(impl + ": key 0 missing");
            }
            DiskDataSet.awaitSettled(impl, o.cache());
            long reopened = BenchSupport.usedHeapAfterGc();
            print(impl, n, "reopened", before, reopened);
            for (int i = 0; i < n; i++) {
                if (o.cache().get(Integer.toString(i)) == null) {
                    throw new IllegalStateException(impl + ": key " + i + " missing");
                }
            }
            long readAll = BenchSupport.usedHeapAfterGc();
            print(impl, n, "readAll", before, readAll);
            java.lang.ref.Reference.reachabilityFence(o);
        }
    }

    /**
     * In a method of its own: a local variable of {@code main} would keep the closed cache reachable while the
     * interpreter runs {@code main} (its slot is not cleared), and the phase afterClose would count it as a leak.
     */
    private static void openGetClose(String impl, Path dir) throws Exception {
        try (DiskDataSet.Opened o = DiskDataSet.open(impl, dir)) {
            o.cache().get("0");
            DiskDataSet.awaitSettled(impl, o.cache());
        }
    }

    private static void print(String impl, int n, String phase, long before, long after) {
        System.out.printf(Locale.ROOT, "DISKFOOTPRINT impl=%s entries=%d phase=%s usedBefore=%d usedAfter=%d"
                        + " bytes/entry=%.1f keyBytes/entry=%.1f maxHeapMB=%d%n", impl, n, phase, before, after,
                (double) (after - before) / n, keyBytes(n), Runtime.getRuntime().maxMemory() >> 20);
    }

    /** Mean retained size of the keys {@code "0".."n-1"} as Strings (compact strings, compressed oops). */
    static double keyBytes(int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int len = Integer.toString(i).length();
            sum += 24 + ((16 + len + 7) & ~7);
        }
        return sum / n;
    }
}
