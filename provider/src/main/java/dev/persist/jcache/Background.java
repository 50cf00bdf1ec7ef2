package dev.persist.jcache;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for the provider's background work: loadAll calls and the log deletes of evicted or expired entries.
 * Not the common ForkJoinPool: these tasks block (on a remote loader, on a write or an fsync), and on a small
 * machine the common pool has a single thread that other libraries need too.
 */
final class Background {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "persist-jcache-background-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private Background() {
    }

    /** Runs {@code task} on a background thread. */
    static void run(Runnable task) {
        EXECUTOR.execute(task);
    }
}
