package dev.persist.jcache.expiry;

import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Caffeine's time source for a cache whose clock is not the system's (tests that move time instead of sleeping):
 * Caffeine's expiry then follows the same clock as the expiry times the cache writes.
 */
public final class ClockTicker implements Ticker {
    private final Clock clock;

    /** @param clock the cache's clock */
    public ClockTicker(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long read() {
        return TimeUnit.MILLISECONDS.toNanos(clock.millis());
    }
}
