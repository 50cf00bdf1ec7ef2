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

    /** @return the I/O failure that stopped writes, or null */
    String getFailure();

    /** Shrinks the log now. */
    void shrink();

    /** Writes pending ASYNC changes and fsyncs. */
    void fsyncAll();
}
