package dev.persist.examples.disk;

import dev.persist.store.DiskStats;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import java.net.URI;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A cache larger than the heap: the cache {@code documents} of {@code disk-example.yaml} keeps every entry in the
 * store's log and only the 1,000 most useful in memory. The first run writes {@value #DEFAULT_DOCUMENTS} documents of
 * about 1 KB (about 200 MB, run it with {@code -Xmx64m}); the next run reopens the cache, which reads an index file
 * instead of the values, and reads random documents back from disk, checking each.
 */
public final class LargerThanHeap {
    static final int DEFAULT_DOCUMENTS = 200_000;
    static final int DOCUMENT_CHARS = 1_000;
    private static final int READS = 2_000;

    private LargerThanHeap() {
    }

    public static void main(String[] args) {
        int documents = Integer.getInteger("documents", DEFAULT_DOCUMENTS);
        long t0 = System.nanoTime();
        try (CacheManager manager = Caching.getCachingProvider().getCacheManager(
                URI.create("classpath:disk-example.yaml"), LargerThanHeap.class.getClassLoader())) {
            Cache<String, String> cache = manager.getCache("documents", String.class, String.class);
            boolean found = cache.containsKey(key(0));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Store store = manager.unwrap(Store.class);
            System.out.println("store: " + store.path().toAbsolutePath());
            System.out.printf(Locale.ROOT, "heap: at most %d MB%n", Runtime.getRuntime().maxMemory() >> 20);
            if (!found) {
                write(cache, documents);
            } else {
                System.out.printf(Locale.ROOT, "reopened: the first get was served %d ms after the manager was "
                        + "asked for (class loading of a new JVM included); %s%n", ms, store.openedFromIndex()
                        ? "the store read its index file, not the values" : "the store scanned the whole log");
                readBack(cache, documents);
            }
            DiskStats disk = cache.unwrap(PersistMap.class).diskStats();
            System.out.printf(Locale.ROOT, "on disk: %d entries, %d MB of live records (bound %d MB); in memory: "
                            + "%d entries; read back from disk by this run: %d%n", disk.entries(),
                    disk.liveBytes() >> 20, disk.maximumBytes() >> 20, disk.memoryEntries(), disk.reads());
        }
    }

    private static void write(Cache<String, String> cache, int documents) {
        long t0 = System.nanoTime();
        for (int i = 0; i < documents; i++) {
            cache.put(key(i), document(i));
        }
        System.out.printf(Locale.ROOT, "wrote %d documents (%d MB of text) in %.1f s%n", documents,
                (long) documents * DOCUMENT_CHARS >> 20, (System.nanoTime() - t0) / 1e9);
        System.out.println("Run me again: the documents will be read back from disk.");
    }

    private static void readBack(Cache<String, String> cache, int documents) {
        SplittableRandom random = new SplittableRandom();
        long t0 = System.nanoTime();
        for (int n = 0; n < READS; n++) {
            int i = random.nextInt(documents);
            String value = cache.get(key(i));
            if (!document(i).equals(value)) {
                throw new IllegalStateException("document " + key(i) + " read back wrong: "
                        + (value == null ? "missing" : value.substring(0, Math.min(40, value.length()))));
            }
        }
        System.out.printf(Locale.ROOT, "read %d random documents back, every one exact, in %d ms%n", READS,
                (System.nanoTime() - t0) / 1_000_000);
    }

    static String key(int i) {
        return "doc-" + i;
    }

    /** The text of document {@code i}: the same for the same {@code i} in every run, so a read can be checked. */
    static String document(int i) {
        StringBuilder sb = new StringBuilder(DOCUMENT_CHARS);
        sb.append("document ").append(i).append(": ");
        SplittableRandom words = new SplittableRandom(i);
        while (sb.length() < DOCUMENT_CHARS) {
            sb.append((char) ('a' + words.nextInt(26)));
        }
        return sb.substring(0, DOCUMENT_CHARS);
    }
}
