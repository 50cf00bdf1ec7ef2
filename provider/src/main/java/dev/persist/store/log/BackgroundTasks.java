package dev.persist.store.log;

import dev.persist.store.Store;
import dev.persist.store.StoreFailedException;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The store's two daemon threads: the syncer (write ASYNC changes, fsync) and auto-shrink. Separate threads, so
 * that a long shrinking does not delay the sync that bounds the ASYNC loss window.
 */
public final class BackgroundTasks {
    private final ScheduledThreadPoolExecutor executor;
    private final Runnable sync;
    private final Consumer<Throwable> errorHandler;
    private ScheduledFuture<?> syncTask;
    private ScheduledFuture<?> shrinkTask;

    public BackgroundTasks(String name, Runnable sync, Consumer<Throwable> errorHandler) {
        AtomicInteger n = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "persist-store-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        this.sync = sync;
        this.errorHandler = errorHandler;
    }

    /**
     * @param name the thread's name
     * @return an executor of one daemon thread, started on the first task and ended after a minute without one (a
     *         store whose maps never evict or settle anything has no such thread)
     */
    public static ThreadPoolExecutor lazyThread(String name) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    public synchronized void scheduleSync(Duration interval) {
        if (syncTask != null) {
            syncTask.cancel(false);
        }
        long nanos = interval.toNanos();
        syncTask = executor.scheduleWithFixedDelay(guarded(sync, false), nanos, nanos, TimeUnit.NANOSECONDS);
    }

    public synchronized void scheduleAutoShrink(Duration interval, Runnable shrink) {
        cancelAutoShrink();
        long nanos = interval.toNanos();
        shrinkTask = executor.scheduleWithFixedDelay(guarded(shrink, true), nanos, nanos, TimeUnit.NANOSECONDS);
    }

    public synchronized void cancelAutoShrink() {
        if (shrinkTask != null) {
            shrinkTask.cancel(false);
            shrinkTask = null;
        }
    }

    /** A failing run must not cancel the schedule (as an exception would); store failures are reported where
     * they happen, other errors here. */
    private Runnable guarded(Runnable task, boolean report) {
        return () -> {
            try {
                task.run();
            } catch (StoreFailedException e) {
                // already reported by the log writer when it failed
            } catch (RuntimeException e) {
                if (report) {
                    errorHandler.accept(e);
                }
            }
        };
    }

    /**
     * Cancels the schedules and waits for a running task to finish. No interrupt (not {@code shutdownNow}): an
     * interrupt that lands in the syncer's {@code write} or {@code force} makes the FileChannel close itself
     * ({@code ClosedByInterruptException}), which fails the store and makes {@link Store#close()} lose the last
     * ASYNC changes and throw.
     */
    public void shutdown() {
        // not shutdownNow(): an interrupt in the middle of an fsync would close the log's channel
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
