package dev.persist.jcache;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * Run in a child JVM by {@link WriteBehindCrashLoopTest} until it is killed: several threads put and remove their
 * own keys of a write-behind cache whose writer is a {@link FileDeliveryWriter}, at one tier.
 *
 * <p>The value an operation puts is its number in the key's history, so each delivered value names the operation
 * that set it. A thread prints {@code B <key> <seq> <state>} before an operation (state: the value it leaves, or
 * {@code -} for absent) and {@code A <key> <seq>} after it returns, under one lock.
 */
public final class WriteBehindCrashChild {
    private static final Object OUT = new Object();

    private WriteBehindCrashChild() {
    }

    /** The settings of the loop's cache, the same in the child and in the parent that drains it. */
    static Properties settings(String log, String cacheName, String tier) {
        Properties p = new Properties();
        String at = "caches[" + cacheName + "]";
        p.setProperty("store.path", log);
        p.setProperty("store.syncInterval", "100ms");
        p.setProperty(at + ".durability", tier);
        p.setProperty(at + ".keyType", String.class.getName());
        p.setProperty(at + ".valueType", String.class.getName());
        p.setProperty(at + ".writer", FileDeliveryWriter.class.getName());
        p.setProperty(at + ".writeBehind.delay", "20ms");
        p.setProperty(at + ".writeBehind.batchSize", "16");
        p.setProperty(at + ".writeBehind.retry.initial", "10ms");
        p.setProperty(at + ".writeBehind.retry.max", "50ms");
        p.setProperty(at + ".writeBehind.flushOnClose", "5s");
        return p;
    }

    /** @param args store path, tier, cache name, threads, keys per thread, seed (the deliveries file: -D) */
    public static void main(String[] args) throws Exception {
        String tier = args[1];
        String cacheName = args[2];
        int threads = Integer.parseInt(args[3]);
        int keysPerThread = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        CacheManager manager = new PersistCachingProvider().getCacheManager(URI.create("wb-crash-loop"), null,
                settings(args[0], cacheName, tier));
        Cache<String, String> cache = manager.getCache(cacheName, String.class, String.class);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> work(cache, out, id, keysPerThread, new Random(seed + id))));
        }
        println(out, "READY");
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
    }

    private static void println(PrintStream out, String line) {
        synchronized (OUT) {
            out.println(line);
        }
    }

    private static void work(Cache<String, String> cache, PrintStream out, int thread, int keys, Random rnd) {
        int[] seq = new int[keys];
        while (true) {
            int k = rnd.nextInt(keys);
            String key = "t" + thread + "k" + k;
            int n = seq[k]++;
            if (rnd.nextInt(5) == 0) {
                println(out, "B " + key + " " + n + " -");
                cache.remove(key);
            } else {
                println(out, "B " + key + " " + n + " " + n);
                cache.put(key, String.valueOf(n));
            }
            println(out, "A " + key + " " + n);
            if (rnd.nextInt(8) == 0) {
                try {
                    Thread.sleep(1); // let the deliverer interleave with the writers
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
