package dev.persist.jcache.expiry;

import dev.persist.jcache.Stored;

import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;

/**
 * Turns a cache's {@link ExpiryPolicy} into expiry times (epoch millis), with JSR-107's rules for a policy that
 * returns null (keep the current time) or throws (creation: never expire; update and access: keep).
 */
public final class ExpiryTimes {
    /** Returned by {@link #onAccess} when the expiry time stays as it is. */
    public static final long UNCHANGED = Long.MIN_VALUE;

    private final ExpiryPolicy policy;

    /** @param policy the cache's policy */
    public ExpiryTimes(ExpiryPolicy policy) {
        this.policy = policy;
    }

    /** @return whether no entry ever expires (then Caffeine need not track expiry) */
    /** @return whether entries never expire */
    public boolean eternal() {
        return policy instanceof EternalExpiryPolicy;
    }

    /** @return the policy */
    public ExpiryPolicy policy() {
        return policy;
    }

    /** @return the expiry time of an entry created at {@code now}; {@code <= now} means it is not stored at all */
    /** @param now epoch millis @return the expiry time of an entry created now */
    public long onCreation(long now) {
        Duration d;
        try {
            d = policy.getExpiryForCreation();
        } catch (Throwable t) {
            d = Duration.ETERNAL;
        }
        return at(d == null ? Duration.ETERNAL : d, now);
    }

    /** @return the expiry time of an entry updated at {@code now} whose time was {@code current} */
    /** @param now epoch millis @param current its expiry time @return the expiry time of an entry updated now */
    public long onUpdate(long now, long current) {
        Duration d;
        try {
            d = policy.getExpiryForUpdate();
        } catch (Throwable t) {
            return current;
        }
        return d == null ? current : at(d, now);
    }

    /** @return the expiry time of an entry read now, or {@link #UNCHANGED} (the clock is read only if needed) */
    /**
     * @param clock the cache's clock, read only if the policy sets an access expiry (a read must not pay for a clock
     *              read it does not need)
     * @return the expiry time of an entry read now, or {@link #UNCHANGED}
     */
    public long onAccess(java.time.Clock clock) {
        Duration d;
        try {
            d = policy.getExpiryForAccess();
        } catch (Throwable t) {
            return UNCHANGED;
        }
        return d == null ? UNCHANGED : at(d, clock.millis());
    }

    private static long at(Duration d, long now) {
        if (d.isEternal()) {
            return Stored.ETERNAL;
        }
        if (d.isZero()) {
            return now;
        }
        long millis = d.getTimeUnit().toMillis(d.getDurationAmount());
        return millis >= Stored.ETERNAL - now ? Stored.ETERNAL : now + millis;
    }
}
