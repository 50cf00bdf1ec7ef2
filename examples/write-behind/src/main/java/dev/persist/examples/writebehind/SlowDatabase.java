package dev.persist.examples.writebehind;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A stand-in for a remote database: every call takes {@code latency}, and calls are counted. */
public final class SlowDatabase {
    private final Map<String, Long> rows = new ConcurrentHashMap<>();
    private final Duration latency;
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();

    public SlowDatabase(Duration latency) {
        this.latency = latency;
    }

    /** @return the stored count of {@code page}, 0 if none */
    public long read(String page) {
        reads.incrementAndGet();
        pause();
        return rows.getOrDefault(page, 0L);
    }

    public void write(String page, long views) {
        writes.incrementAndGet();
        pause();
        rows.put(page, views);
    }

    public Duration latency() {
        return latency;
    }

    public int reads() {
        return reads.get();
    }

    public int writes() {
        return writes.get();
    }

    private void pause() {
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
