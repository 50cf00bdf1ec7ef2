package dev.persist.jcache.expiry;

import com.github.benmanes.caffeine.cache.Expiry;
import dev.persist.jcache.Stored;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Tells Caffeine when an entry expires: at the wall-clock time its {@link Stored} envelope carries (the time that
 * is also in the log), read on the cache's clock. Reads do not move it; the cache applies access expiry by storing a
 * new envelope.
 */
public final class StoredExpiry implements Expiry<Object, Stored> {
    private final Clock clock;

    /** @param clock the cache's clock */
    public StoredExpiry(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long expireAfterCreate(Object key, Stored value, long currentTime) {
        return remainingNanos(value);
    }

    @Override
    public long expireAfterUpdate(Object key, Stored value, long currentTime, long currentDuration) {
        return remainingNanos(value);
    }

    @Override
    public long expireAfterRead(Object key, Stored value, long currentTime, long currentDuration) {
        return currentDuration;
    }

    private long remainingNanos(Stored value) {
        if (value.expiresAt() == Stored.ETERNAL) {
            return Long.MAX_VALUE;
        }
        long millis = value.expiresAt() - clock.millis();
        if (millis <= 0) {
            return 0;
        }
        return millis >= TimeUnit.NANOSECONDS.toMillis(Long.MAX_VALUE) ? Long.MAX_VALUE
                : TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
