package dev.persist.jcache.management;

/**
 * The state of a cache manager's store, registered as
 * {@code dev.persist.jcache:type=Store,path=<quoted log path>} while a manager holds the store open.
 */
public interface StoreMXBean {
    /** @return the log file */
    String getPath();

    /** @return keys held, in every cache plus orphan records */
    long getLiveKeys();

    /** @return keys of namespaces no open cache has registered */
    long getOrphanKeys();

    /** @return records in the log file */
    long getLogRecords();

    /** @return bytes in the log file */
    long getLogBytes();

    /** @return write(2) calls since open */
    long getWriteCalls();

    /** @return fsyncs since open */
    long getSyncCalls();

    /** @return records dropped at load because they no longer decode */
    long getUndecodableRecords();

    /** @return shrinks since open */
    long getShrinks();

    /** @return bytes of a torn tail truncated at open */
    long getTornBytesTruncated();

    /**
     * @return records of caches with {@code disk} read back from disk because the memory front did not hold them,
     *         every such cache of the store together (per cache: {@code PersistCacheMetrics}, or
     *         {@code PersistMap.diskStats()})
     */
    long getDiskReads();

    /** @return records read back from disk that were damaged: never returned as values, their entries dropped */
    long getDamagedReads();

    /** @return bytes of heap the ASYNC changes waiting for the syncer take now ({@code store.asyncBacklog} bounds it) */
    long getAsyncBacklogBytes();

    /** @return ASYNC changes written at once, as at WRITE, because the backlog was full */
    long getAsyncOverflows();

    /** @return the I/O failure that stopped writes, or null */
    String getFailure();

    /** Shrinks the log now. */
    void shrink();

    /** Writes pending ASYNC changes and fsyncs. */
    void fsyncAll();

    /**
     * Copies the log, as it is now, into a directory while the application runs ({@code Store.backup}).
     *
     * @param directory a new or empty directory
     * @return what was written: how many files and bytes, where
     */
    String backup(String directory);
}
