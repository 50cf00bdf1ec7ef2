package dev.persist.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Carries the keys a map's memory dropped on its own to a store thread, where their deletes are logged. Memory
 * reports an eviction inside its own atomic section, where the store's key lock must not be taken; and queued keys
 * are logged in batches, so evictions at tier WRITE or FSYNC share one write or fsync instead of paying one each.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class EvictionRelay<K, V> {
    /** A key the memory dropped, with the value it dropped (compared by identity when the delete is logged). */
    record Evicted<K, V>(K key, V value) {
    }

    private static final int BATCH = 1024;

    private final ConcurrentLinkedQueue<Evicted<K, V>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Keys offered and not yet logged (or given up on): close waits until it is zero. */
    private final AtomicInteger pending = new AtomicInteger();
    private final Executor executor;
    private final Consumer<List<Evicted<K, V>>> log;

    EvictionRelay(Executor executor, Consumer<List<Evicted<K, V>>> log) {
        this.executor = executor;
        this.log = log;
    }

    /** Queues an evicted entry; never blocks. */
    void offer(K key, V value) {
        pending.incrementAndGet();
        queue.add(new Evicted<>(key, value));
        if (draining.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            List<Evicted<K, V>> batch = new ArrayList<>();
            for (Evicted<K, V> k; batch.size() < BATCH && (k = queue.poll()) != null; ) {
                batch.add(k);
            }
            if (batch.isEmpty()) {
                draining.set(false);
                // a key offered between the last poll and the set above found the flag still up and left it to us
                if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                log.accept(batch);
            } catch (RuntimeException e) {
                // a failed store reports the failure itself; the keys stay in the log until the next delete or
                // shrink, as they would have after a crash
                System.getLogger(PersistMap.class.getName()).log(System.Logger.Level.WARNING,
                        "could not log the deletes of " + batch.size() + " evicted entries", e);
            } finally {
                pending.addAndGet(-batch.size());
            }
        }
    }

    /**
     * Waits until every key offered so far is logged.
     *
     * @param timeoutNanos how long at most
     * @return false if the time ran out
     */
    boolean awaitIdle(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (pending.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(100_000);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
