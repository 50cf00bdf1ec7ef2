package dev.persist.jcache.management;

/**
 * The write-behind of one cache, registered as
 * {@code dev.persist.jcache:type=WriteBehind,CacheManager=<uri>,Cache=<name>} while the cache is open, and returned
 * by {@code PersistCache.writeBehind()}. Counters start at zero when the cache opens; the pending keys are those the
 * log holds.
 */
public interface WriteBehindMXBean {
    /** @return keys whose latest change the writer has not yet received */
    long getPendingCount();

    /** @return how long the oldest pending key has waited for its delivery, in milliseconds; 0 if none waits */
    long getOldestPendingAgeMillis();

    /** @return keys delivered (their pending change acknowledged by the writer) since the cache opened */
    long getDelivered();

    /** @return failed deliveries of a key since the cache opened, each followed by a retry after a backoff */
    long getRetries();

    /** @return keys whose pending change was dropped after failing for {@code retry.giveUpAfter} */
    long getGivenUp();

    /** @return keys now waiting for a retry after a failure */
    long getFailingCount();

    /**
     * @return failure episodes since the cache opened: each begins with a failure after deliveries succeeded (or at
     *         the start), is logged once as a warning, and ends when a delivery succeeds with no key left failing
     */
    long getFailureEpisodes();

    /** @return the last failure of the writer (class and message), or null if it never failed */
    String getLastError();

    /** @return when the writer last failed (ISO-8601), or null */
    String getLastErrorTime();
}
