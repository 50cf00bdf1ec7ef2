package dev.persist.jcache.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A cache's {@code writeBehind} settings: its writer is called by a background deliverer, in batches, with the
 * latest state of each key changed since the last delivery; what is still owed is kept in the log, so that it is
 * delivered after a crash. See docs/write-behind.md.
 *
 * @param delay        how often the deliverer takes what is pending
 * @param batchSize    the most keys given to one {@code writeAll} or {@code deleteAll} call
 * @param coalesce     whether updates of one key made between two deliveries are delivered as the last one only
 *                     (the only mode: the log keeps one pending state per key)
 * @param retryInitial the wait before the first retry of a key whose delivery failed; doubled at each failure
 * @param retryMax     the longest wait between two retries of a key
 * @param giveUpAfter  how long a key may keep failing before its pending change is dropped (counted and logged),
 *                     or null: never give up
 * @param flushOnClose how long closing the cache (or its manager) keeps delivering what is pending; what is left
 *                     stays in the log for the next start
 */
public record WriteBehindSettings(Duration delay, int batchSize, boolean coalesce, Duration retryInitial,
                                  Duration retryMax, Duration giveUpAfter, Duration flushOnClose) {
    /** The settings of {@code writeBehind: {}}. */
    public static final WriteBehindSettings DEFAULTS = new WriteBehindSettings(Duration.ofSeconds(1), 500, true,
            Duration.ofSeconds(1), Duration.ofMinutes(5), null, Duration.ofSeconds(30));

    /** Checks the settings. */
    public WriteBehindSettings {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(flushOnClose, "flushOnClose");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        if (retryMax.compareTo(retryInitial) < 0) {
            throw new IllegalArgumentException("retry.max must not be below retry.initial");
        }
    }
}
