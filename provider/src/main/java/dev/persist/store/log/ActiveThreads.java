package dev.persist.store.log;

import java.util.HashSet;
import java.util.Set;

/**
 * Counts the distinct threads seen lately: those noted in the current time window or the one before it. Not thread
 * safe; the caller guards it.
 *
 * <p>The FSYNC group commit uses it to know how many callers a leader can expect to gather (see
 * {@link LogWriter#awaitSynced}).
 */
public final class ActiveThreads {
    private final long windowNanos;
    private Set<Thread> current = new HashSet<>();
    private Set<Thread> previous = new HashSet<>();
    private long windowStart;

    /** @param windowNanos how long a window lasts: a thread counts for one to two windows after it was noted */
    public ActiveThreads(long windowNanos) {
        this.windowNanos = windowNanos;
        this.windowStart = System.nanoTime();
    }

    /** Notes that {@code thread} was seen now. */
    public void note(Thread thread) {
        roll(System.nanoTime());
        current.add(thread);
    }

    /** @return the distinct threads noted in this window and the previous one */
    public int count() {
        roll(System.nanoTime());
        int n = previous.size();
        for (Thread t : current) {
            if (!previous.contains(t)) {
                n++;
            }
        }
        return n;
    }

    /** Starts a new window when the current one is over; after a whole idle window, forgets everyone. */
    private void roll(long now) {
        long elapsed = now - windowStart;
        if (elapsed < windowNanos) {
            return;
        }
        Set<Thread> recycled = previous;
        recycled.clear();
        if (elapsed < 2 * windowNanos) {
            previous = current;
            current = recycled;
        } else {
            current.clear();
        }
        windowStart = now;
    }
}
