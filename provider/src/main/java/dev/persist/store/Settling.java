package dev.persist.store;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The background pass that settles the entries a map with a {@link DeferredCodec} adopted from the log, and the
 * reporting of the values that turn out not to decode: counted one by one, logged once for the whole pass (a drop
 * after the pass is logged on its own).
 *
 * @param <K> key type
 * @param <V> value type
 */
final class Settling<K, V> {
    private final PersistMap<K, V> map;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Taken by the pass when it starts, or by {@link #stop} if it has not started (it then never runs). */
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private volatile boolean started;
    private volatile boolean stopping;
    /** Set once the drops counted so far are logged: later drops are logged one by one. */
    private volatile boolean summarized;

    Settling(PersistMap<K, V> map) {
        this.map = map;
    }

    void start(Executor executor) {
        started = true;
        executor.execute(this::run);
    }

    private void run() {
        if (!claimed.compareAndSet(false, true)) {
            return; // stopped before it started
        }
        try {
            for (Map.Entry<K, V> e : map.memory().entrySet()) {
                if (stopping) {
                    break;
                }
                map.settled(e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) {
            System.getLogger(PersistMap.class.getName()).log(System.Logger.Level.WARNING, "settling the entries of '"
                    + map.name() + "' read back from " + map.store().path() + " stopped; reads settle the others", e);
        } finally {
            over();
        }
    }

    /** Counts one value dropped because it does not decode, and logs it if the pass has already summed up. */
    void undecodable(Throwable error) {
        firstError.compareAndSet(null, error);
        dropped.incrementAndGet();
        if (summarized) {
            map.store().logUndecodable(map.name(), 1, error);
        }
    }

    private void over() {
        summarized = true;
        long n = dropped.get();
        if (n > 0) {
            map.store().logUndecodable(map.name(), n, firstError.get());
        }
        done.complete(null);
    }

    /** Stops the pass at its next entry and waits (a bounded time) until it has stopped. */
    void stop() {
        stopping = true;
        if (!started || claimed.compareAndSet(false, true)) {
            if (started) {
                over(); // it had not begun: it never will
            }
            return;
        }
        try {
            if (!await(10, TimeUnit.SECONDS)) {
                System.getLogger(PersistMap.class.getName()).log(System.Logger.Level.WARNING,
                        "settling the entries of '" + map.name() + "' still running at close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        if (!started) {
            return true;
        }
        try {
            done.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // never completed exceptionally
        }
    }
}
