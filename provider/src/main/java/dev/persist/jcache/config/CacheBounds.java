package dev.persist.jcache.config;

/**
 * The bounds {@code defaults.memory} and {@code defaults.disk} give every cache that sets none of its own
 * ({@code maximumSize}, {@code maximumWeight}, {@code memory}, {@code disk}), caches created in code included.
 *
 * @param maximumSize   entries in memory, or null
 * @param maximumWeight bytes of stored values in memory, or null
 * @param diskBytes     {@code disk.maximumBytes}, or null for caches held in memory
 */
public record CacheBounds(Long maximumSize, Long maximumWeight, Long diskBytes) {
    /** No bounds: caches held in memory, unbounded. */
    public static final CacheBounds NONE = new CacheBounds(null, null, null);
}
