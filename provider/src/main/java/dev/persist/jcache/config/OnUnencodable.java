package dev.persist.jcache.config;

/**
 * What a put does with a value the cache's codec cannot write (a class outside the serialization allowlist, a value
 * that is not {@code Serializable}, one over the codec's limits): setting {@code onUnencodable} of
 * {@code defaults} and of each cache.
 */
public enum OnUnencodable {
    /**
     * The put throws {@link IllegalArgumentException} naming the class and the setting that would allow it, and
     * changes nothing: the right default for plain JCache, where the caller made the put and can handle it.
     */
    FAIL,
    /**
     * The put leaves no entry for the key (any cached entry is removed: the system of record changed, so a stale
     * entry must not be served), tells a write-through writer as the put would have, logs once per class and cache,
     * and counts it; later reads of the key are misses. For callers that put after their own commit, such as
     * Hibernate's second-level cache, where an exception would only break a committed transaction.
     */
    SKIP
}
