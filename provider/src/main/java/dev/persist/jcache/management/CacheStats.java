package dev.persist.jcache.management;

import javax.cache.management.CacheStatisticsMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache's statistics, counted with {@link LongAdder}s so that concurrent operations do not contend. Times are
 * kept in nanoseconds and reported as averages in microseconds, as the MXBean defines.
 */
public final class CacheStats implements CacheStatisticsMXBean {
    /** Off by default (JSR-107): every recording method is then a no-op, so callers record unconditionally. */
    private volatile boolean enabled;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder getNanos = new LongAdder();
    private final LongAdder putNanos = new LongAdder();
    private final LongAdder removeNanos = new LongAdder();

    /** @param on whether operations are counted from now on */
    public void enabled(boolean on) {
        this.enabled = on;
    }

    /** @return whether operations are counted */
    public boolean enabled() {
        return enabled;
    }

    /** @return the time an operation starts, if counting (reading the clock is not free), else 0 */
    public long startTime() {
        return enabled ? System.nanoTime() : 0;
    }

    /** @param start what {@link #startTime()} returned @return nanoseconds since then */
    private static long since(long start) {
        return System.nanoTime() - start;
    }

    /** Counts one put that began at {@code start}. */
    public void put(long start) {
        if (enabled) {
            puts(1);
            putTime(since(start));
        }
    }

    /** Counts one removal that began at {@code start}. */
    public void removal(long start) {
        if (enabled) {
            removals(1);
            removeTime(since(start));
        }
    }

    /** Counts the time of a get that began at {@code start}. */
    public void getTimeSince(long start) {
        if (enabled) {
            getTime(since(start));
        }
    }

    @Override
    public void clear() {
        hits.reset();
        misses.reset();
        puts.reset();
        removals.reset();
        evictions.reset();
        getNanos.reset();
        putNanos.reset();
        removeNanos.reset();
    }

    /** Counts one hit if {@code hit}, else one miss. */
    public void hitOrMiss(boolean hit) {
        if (!enabled) {
            return;
        }
        if (hit) {
            hits(1);
        } else {
            misses(1);
        }
    }

    /** Counts {@code n} hits. */
    public void hits(long n) {
        if (!enabled) {
            return;
        }
        hits.add(n);
    }

    /** Counts {@code n} misses. */
    public void misses(long n) {
        if (!enabled) {
            return;
        }
        misses.add(n);
    }

    /** Counts {@code n} puts. */
    public void puts(long n) {
        if (!enabled) {
            return;
        }
        puts.add(n);
    }

    /** Counts {@code n} removals. */
    public void removals(long n) {
        if (!enabled) {
            return;
        }
        removals.add(n);
    }

    /** Counts one size eviction. */
    public void eviction() {
        if (!enabled) {
            return;
        }
        evictions.increment();
    }

    /** Adds time spent in gets. */
    public void getTime(long nanos) {
        if (!enabled) {
            return;
        }
        getNanos.add(nanos);
    }

    /** Adds time spent in puts. */
    public void putTime(long nanos) {
        if (!enabled) {
            return;
        }
        putNanos.add(nanos);
    }

    /** Adds time spent in removals. */
    public void removeTime(long nanos) {
        if (!enabled) {
            return;
        }
        removeNanos.add(nanos);
    }

    @Override
    public long getCacheHits() {
        return hits.sum();
    }

    @Override
    public float getCacheHitPercentage() {
        long h = hits.sum();
        long total = h + misses.sum();
        return total == 0 ? 0f : (float) h / total * 100.0f;
    }

    @Override
    public long getCacheMisses() {
        return misses.sum();
    }

    @Override
    public float getCacheMissPercentage() {
        long m = misses.sum();
        long total = m + hits.sum();
        return total == 0 ? 0f : (float) m / total * 100.0f;
    }

    @Override
    public long getCacheGets() {
        return hits.sum() + misses.sum();
    }

    @Override
    public long getCachePuts() {
        return puts.sum();
    }

    @Override
    public long getCacheRemovals() {
        return removals.sum();
    }

    @Override
    public long getCacheEvictions() {
        return evictions.sum();
    }

    @Override
    public float getAverageGetTime() {
        return average(getNanos.sum(), getCacheGets());
    }

    @Override
    public float getAveragePutTime() {
        return average(putNanos.sum(), puts.sum());
    }

    @Override
    public float getAverageRemoveTime() {
        return average(removeNanos.sum(), removals.sum());
    }

    private static float average(long nanos, long count) {
        return count == 0 ? 0f : (float) nanos / count / 1000f;
    }
}
