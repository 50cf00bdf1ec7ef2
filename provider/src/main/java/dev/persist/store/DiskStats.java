package dev.persist.store;

/**
 * The disk side of one disk-backed map ({@link PersistMap#diskStats()}), read at one moment: the figures a cache's
 * {@code memory} and {@code disk} bounds are sized by. The store's {@link StoreStats} add up every map of a log; these
 * are one map's.
 *
 * @param entries       keys whose record is on disk (a change at ASYNC not yet written counts once it is)
 * @param liveBytes     bytes of those records as logged, the figure {@code disk.maximumBytes} bounds: past it the
 *                      oldest records are evicted
 * @param maximumBytes  that bound
 * @param memoryEntries entries the memory front holds now (Caffeine's estimate, pending evictions included)
 * @param reads         records read back from disk since the map opened because memory did not hold them: over
 *                      the cache's gets, about its front's miss ratio
 */
public record DiskStats(long entries, long liveBytes, long maximumBytes, long memoryEntries, long reads) {
}
