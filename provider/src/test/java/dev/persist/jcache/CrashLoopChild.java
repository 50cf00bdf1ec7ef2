package dev.persist.jcache;

import dev.persist.store.Store;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * Run in a child JVM by {@link CrashLoopTest} until it is killed: several threads change their own keys of one cache
 * through the JCache API (put, remove, invoke, replace) while another thread shrinks the store in a loop.
 *
 * <p>Each key belongs to one thread, so the state each operation leaves is known before it starts. A thread prints
 * {@code B <key> <seq> <state>} before an operation (state: the value it leaves, or {@code -} for absent) and
 * {@code A <key> <seq>} after it returns. At the ASYNC tier a syncer prints {@code S <n>} before each
 * {@code fsyncAll()} and {@code E <n>} after it returns. The shrinking thread prints {@code K <n>} after each
 * {@code shrink()} that returned. Lines are printed under one lock, so their order is the order of the events.
 *
 * <p>Any thread that fails (an exception out of an operation, a shrink or an fsync, or out of {@code main}) prints
 * {@code FAILED <thread> <exception>}, its stack trace to stderr, and halts the JVM with exit status
 * {@value #FAILED_EXIT}: a dead worker must not pass for a kill with an operation in flight, and a dead shrinker
 * must not pass for a quiet one.
 */
public final class CrashLoopChild {
    private static final Object OUT = new Object();
    /** Exit status after a failed thread; a kill by the parent gives 137. */
    static final int FAILED_EXIT = 3;

    private CrashLoopChild() {
    }

    private static void println(PrintStream out, String line) {
        synchronized (OUT) {
            out.println(line);
        }
    }

    /** Reports a failed thread on stdout and stderr and ends the JVM at once. */
    private static void failed(PrintStream out, Thread thread, Throwable e) {
        try {
            println(out, "FAILED " + thread.getName() + " " + String.valueOf(e).replace('\n', ' '));
            e.printStackTrace();
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(FAILED_EXIT);
        }
    }

    /** @param args store path, tier, cache name, threads, keys per thread, seed */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        // every thread, the provider's own included: a failure anywhere ends the child with FAILED_EXIT
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> failed(out, t, e));
        try {
            run(args, out);
        } catch (Throwable e) {
            failed(out, Thread.currentThread(), e);
        }
    }

    private static void run(String[] args, PrintStream out) throws Exception {
        String tier = args[1];
        String cacheName = args[2];
        int threads = Integer.parseInt(args[3]);
        int keysPerThread = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        Properties p = new Properties();
        p.setProperty("store.path", args[0]);
        p.setProperty("defaults.durability", tier);
        p.setProperty("store.syncInterval", "100ms");
        CacheManager manager = new PersistCachingProvider().getCacheManager(URI.create("crash-loop"), null, p);
        Cache<String, String> cache = manager.createCache(cacheName, new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        Store store = cache.unwrap(Store.class);

        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> work(cache, out, id, keysPerThread, new Random(seed + id)), "worker-" + t));
        }
        Thread shrinker = new Thread(() -> {
            for (int n = 0; ; n++) {
                store.shrink();
                println(out, "K " + n);
                sleep(20);
            }
        }, "shrinker");
        shrinker.setDaemon(true);
        Thread syncer = new Thread(() -> {
            for (int n = 0; ; n++) {
                println(out, "S " + n);
                store.fsyncAll();
                println(out, "E " + n);
                sleep(30);
            }
        }, "syncer");
        syncer.setDaemon(true);
        for (Thread w : workers) {
            w.setUncaughtExceptionHandler((t, e) -> failed(out, t, e));
        }
        shrinker.setUncaughtExceptionHandler((t, e) -> failed(out, t, e));
        syncer.setUncaughtExceptionHandler((t, e) -> failed(out, t, e));
        println(out, "READY");
        workers.forEach(Thread::start);
        shrinker.start();
        if (tier.equals("async")) {
            syncer.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        throw new IllegalStateException("a worker ended without being killed");
    }

    private static void work(Cache<String, String> cache, PrintStream out, int id, int keys, Random rnd) {
        String[] state = new String[keys]; // null: absent
        int[] opsOfKey = new int[keys];
        while (true) {
            int k = rnd.nextInt(keys);
            int seq = opsOfKey[k]++; // numbered per key: the parent checks each key's sequence
            String key = "t" + id + "-" + k;
            String value = key + "#" + seq;
            int op = rnd.nextInt(10);
            String after;
            if (op < 4) {
                after = value;
            } else if (op < 6) {
                after = null;
            } else if (op < 8) {
                after = value;
            } else {
                after = state[k] == null ? null : value; // replace changes only a present key
            }
            println(out, "B " + key + " " + seq + " " + (after == null ? "-" : after));
            if (op < 4) {
                cache.put(key, value);
            } else if (op < 6) {
                cache.remove(key);
            } else if (op < 8) {
                cache.invoke(key, (entry, a) -> {
                    entry.setValue(value);
                    return null;
                });
            } else {
                cache.replace(key, value);
            }
            state[k] = after;
            println(out, "A " + key + " " + seq);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e); // nobody interrupts these threads
        }
    }
}
