package dev.persist.bench;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Workload 5, memory: retained heap per entry after loading {@code n} small entries ({@code "0".."n-1"} keys,
 * {@code Item(i, "example struct", i * 0.5)} values, store-by-value) into one implementation's cache through
 * {@code Cache.put}. Used heap after repeated {@code System.gc()} with the manager and an empty cache open, then
 * again after the load; (after - before) / n. Run one implementation per JVM (run.sh does):
 *
 * <pre>
 * java -Xms3g -Xmx3g -cp benchmarks.jar dev.persist.bench.MemoryFootprint caffeine 1000000
 * </pre>
 * Prints {@code FOOTPRINT impl=... entries=... bytes/entry=...}, read by {@link Report}.
 */
public final class MemoryFootprint {
    private MemoryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        String impl = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path dir = BenchSupport.freshDir("persist-bench-mem-");
        CacheManager manager = JCacheImpls.openManager(impl, dir);
        try {
            Cache<String, Item> cache = JCacheImpls.createCache(impl, manager);
            String[] keys = BenchSupport.keyPool(n);
            // warm the put path (class loading, codecs) with other keys, then remove them
            for (int i = 0; i < 1000; i++) {
                cache.put("warm" + i, new Item(i, "example struct", i));
            }
            for (int i = 0; i < 1000; i++) {
                cache.remove("warm" + i);
            }
            long before = BenchSupport.usedHeapAfterGc();
            for (int i = 0; i < n; i++) {
                cache.put(keys[i], new Item(i, "example struct", i * 0.5));
            }
            keys = null; // the cache holds its own key copies (or shares the strings, as all three do for String)
            long after = BenchSupport.usedHeapAfterGc();
            if (cache.get(Integer.toString(n - 1)) == null) {
                throw new IllegalStateException(impl + ": entries missing");
            }
            System.out.printf(Locale.ROOT, "FOOTPRINT impl=%s entries=%d usedBefore=%d usedAfter=%d bytes/entry=%.1f%n",
                    impl, n, before, after, (double) (after - before) / n);
            java.lang.ref.Reference.reachabilityFence(cache);
        } finally {
            JCacheImpls.close(manager);
            BenchSupport.deleteRecursively(dir);
        }
    }
}
