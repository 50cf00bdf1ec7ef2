package dev.persist.store;

import java.time.Instant;

/**
 * A snapshot of a store's state.
 *
 * @param liveKeys           keys held now, in every registered map plus orphan records
 * @param orphanKeys         of those, keys of namespaces no map has registered
 * @param logRecords         records in the log's live segment files (including those not yet written by the syncer's
 *                           buffer); shrinking brings it down to about {@code liveKeys}
 * @param logBytes           bytes of the records in the log's live segment files together, headers included (the
 *                           last file runs past them with zeros while the store is open, with
 *                           {@link StoreOptions#mappedAppends})
 * @param lastSync           when the log was last fsynced
 * @param writeCalls         batches of records written since open, each one {@code write(2)} or one copy into the
 *                           mapped end of the log ({@link StoreOptions#mappedAppends}): with group commit, fewer than
 *                           WRITE operations
 * @param syncCalls          fsyncs since open: with group commit, fewer than FSYNC operations
 * @param tornBytesTruncated bytes of a torn tail cut off at open (0 if the log ended cleanly)
 * @param salvagedBytes      bytes of damaged records skipped at open with salvage (0 without salvage)
 * @param undecodableRecords records dropped because their key or value no longer decodes
 * @param shrinks        shrinks since open
 * @param syncNanos          nanoseconds spent in the fsyncs counted by {@code syncCalls}: their latency is
 *                           {@code syncNanos / syncCalls}
 * @param pendingAsyncKeys   keys whose ASYNC change is not yet written to the log (the next sync writes them)
 * @param skippedValues      values not stored because their codec cannot encode them, as reported by the maps' users
 *                           through {@link Store#countSkippedValue} (a JCache cache with {@code onUnencodable: skip})
 * @param generationClears   opens that emptied the namespaces because the log's generation differed from
 *                           {@link StoreOptions#generation} (0 or 1 for one open)
 * @param generationClearedKeys keys those clears deleted
 * @param damagedReads       records of disk-resident entries found damaged when read back (checksum, length or key
 *                           wrong): each such entry was dropped and its read was a miss
 * @param diskReads          records of disk-resident entries read back from disk because memory did not hold them:
 *                           reads of disk-backed maps that missed memory (gets, iteration), and writes that read the
 *                           entry they replace (a read whose key changed while it read reads again, and counts twice)
 * @param asyncBacklogBytes  heap of the ASYNC changes waiting for the syncer now: their records and the objects
 *                           around them, what {@link StoreOptions#asyncBacklogBytes} bounds
 * @param asyncOverflows     ASYNC changes written before their call returned, as at WRITE, because the backlog was
 *                           full: a count that grows means writers outpace the syncer (a shorter
 *                           {@code syncInterval} or a larger backlog may pay)
 * @param failure            the I/O failure that stopped writes, or null
 */
public record StoreStats(long liveKeys, long orphanKeys, long logRecords, long logBytes, Instant lastSync,
                         long writeCalls, long syncCalls, long tornBytesTruncated, long salvagedBytes,
                         long undecodableRecords, long shrinks, long syncNanos, long pendingAsyncKeys,
                         long skippedValues, long generationClears, long generationClearedKeys,
                         long damagedReads, long diskReads, long asyncBacklogBytes, long asyncOverflows,
                         Throwable failure) {
}
