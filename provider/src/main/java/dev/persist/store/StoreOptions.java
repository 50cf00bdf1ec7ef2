package dev.persist.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Settings of a {@link Store}, immutable; each {@code with}-style setter returns a copy.
 *
 * <pre>{@code
 * StoreOptions opts = StoreOptions.defaults().syncInterval(Duration.ofMillis(200)).salvage(false);
 * }</pre>
 */
public final class StoreOptions {
    /** Default size from which a log segment is full and the next record starts a new one: 256 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 256L << 20;
    /**
     * The largest segment size: a segment may grow past its size by the records of one batch, and a disk index
     * addresses 8 GiB of one segment file.
     */
    public static final long MAX_SEGMENT_BYTES = 4L << 30;
    /** The largest default of {@link #asyncBacklogBytes(long)}: 64 MB. */
    public static final long MAX_DEFAULT_ASYNC_BACKLOG_BYTES = 64L << 20;

    /** Default period of the background syncer, as go-persist's {@code DefaultSyncInterval}. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

    /** Opens the log's file channels; replaceable to inject I/O faults in tests. */
    @FunctionalInterface
    public interface ChannelFactory {
        /**
         * @param path    the file
         * @param options as for {@link FileChannel#open(Path, OpenOption...)}
         * @return an open channel
         * @throws IOException as {@link FileChannel#open(Path, OpenOption...)}
         */
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(Store.class.getName());
    private static final StoreOptions DEFAULTS = new StoreOptions(DEFAULT_SYNC_INTERVAL, false,
            e -> LOG.log(System.Logger.Level.ERROR, "persist store failure", e), StoreFileSystem.local(), null, null, ns -> false,
            DEFAULT_SEGMENT_BYTES, defaultAsyncBacklogBytes(), true, true);

    private final Duration syncInterval;
    private final boolean salvage;
    private final Consumer<Throwable> errorHandler;
    private final StoreFileSystem fileSystem;
    private final Executor settlingExecutor;
    private final String generation;
    private final Predicate<String> diskNamespaces;
    private final long segmentBytes;
    private final long asyncBacklogBytes;
    private final boolean mappedReads;
    private final boolean mappedAppends;

    private StoreOptions(Duration syncInterval, boolean salvage, Consumer<Throwable> errorHandler,
                         StoreFileSystem fileSystem, Executor settlingExecutor, String generation,
                         Predicate<String> diskNamespaces, long segmentBytes, long asyncBacklogBytes,
                         boolean mappedReads, boolean mappedAppends) {
        this.mappedReads = mappedReads;
        this.mappedAppends = mappedAppends;
        this.segmentBytes = segmentBytes;
        this.asyncBacklogBytes = asyncBacklogBytes;
        this.generation = generation;
        this.diskNamespaces = diskNamespaces;
        this.syncInterval = syncInterval;
        this.salvage = salvage;
        this.errorHandler = errorHandler;
        this.fileSystem = fileSystem;
        this.settlingExecutor = settlingExecutor;
    }

    /** @return sync interval 1 s, no salvage, errors logged through {@link System.Logger}, real files */
    public static StoreOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param interval how often the background syncer writes ASYNC changes and fsyncs; positive
     * @return a copy with this setting
     */
    public StoreOptions syncInterval(Duration interval) {
        requirePositive(interval, "syncInterval");
        return new StoreOptions(interval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                diskNamespaces, segmentBytes, asyncBacklogBytes, mappedReads, mappedAppends);
    }

    /**
     * @param salvage if true, damage followed by valid records is skipped (reported in {@link StoreStats}) and the
     *                log rewritten without it; if false (the default) such a log refuses to open with a
     *                {@link CorruptLogException}
     * @return a copy with this setting
     */
    public StoreOptions salvage(boolean salvage) {
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                diskNamespaces, segmentBytes, asyncBacklogBytes, mappedReads, mappedAppends);
    }

    /**
     * @param handler told of every failure, including those of background threads (which have no caller to
     *                throw to); it must not throw. The default logs at ERROR. Unlike go-persist's, no default ever
     *                ends the process.
     * @return a copy with this setting
     */
    public StoreOptions errorHandler(Consumer<Throwable> handler) {
        return new StoreOptions(syncInterval, salvage, Objects.requireNonNull(handler, "handler"), fileSystem,
                settlingExecutor, generation, diskNamespaces, segmentBytes, asyncBacklogBytes, mappedReads, mappedAppends);
    }

    /**
     * Wraps the current {@link #fileSystem()} so that {@code factory} opens every file the store opens: the log, its
     * shrinking file, the lock file and the index file alike. The other operations (rename, delete, directory fsync)
     * stay with that file system. The factory is part of the file system this returns: calling
     * {@link #fileSystem(StoreFileSystem)} afterwards replaces it, and {@code factory} is dropped; call this after it.
     *
     * @param factory opens every file of the store; for fault injection in tests
     * @return a copy with this setting
     */
    public StoreOptions channelFactory(ChannelFactory factory) {
        return fileSystem(StoreFileSystem.withChannels(fileSystem, Objects.requireNonNull(factory, "factory")));
    }

    /**
     * @param fileSystem every file operation of the store (default {@link StoreFileSystem#local()}); tests pass one
     *                   that records, fails or loses operations. Replaces an earlier {@link #channelFactory} too.
     * @return a copy with this setting
     */
    public StoreOptions fileSystem(StoreFileSystem fileSystem) {
        return new StoreOptions(syncInterval, salvage, errorHandler, Objects.requireNonNull(fileSystem, "fileSystem"),
                settlingExecutor, generation, diskNamespaces, segmentBytes, asyncBacklogBytes, mappedReads, mappedAppends);
    }

    /**
     * @param executor runs the background passes that settle the values a {@link DeferredCodec} left undecoded at
     *                 load (default: one daemon thread of the store); tests pass one that holds the pass back
     * @return a copy with this setting
     */
    public StoreOptions settlingExecutor(Executor executor) {
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem,
                Objects.requireNonNull(executor, "executor"), generation, diskNamespaces, segmentBytes, asyncBacklogBytes,
                mappedReads, mappedAppends);
    }

    /**
     * The generation of the data in the store's namespaces, for stores that hold copies of another system's data
     * (a cache of database rows, say): at open, if the log was written with another generation (or with none, and
     * holds records), every namespace is emptied before any map sees its records, and then this generation is
     * recorded (in the store's own namespace {@value Store#META_NAMESPACE}). Null (the default): no check, and the
     * recorded generation is left as it is.
     *
     * @param generation a non-blank string (a schema version, a migration id), or null
     * @return a copy with this setting
     */
    public StoreOptions generation(String generation) {
        if (generation != null && generation.isBlank()) {
            throw new IllegalArgumentException("generation must not be blank");
        }
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                diskNamespaces, segmentBytes, asyncBacklogBytes, mappedReads, mappedAppends);
    }

    /**
     * Which namespaces are disk-backed when the log is read at open, before any map registers: their records are
     * indexed (key to the record's place in the log) instead of held in memory, so that a namespace far larger than
     * the heap can be opened. A map registered with {@link MapConfig#disk} reads them back on demand; one registered
     * without reads them all into memory at registration. Namespaces the index file of the log names keep what it
     * says. Default: none.
     *
     * @param diskNamespaces true for a disk-backed namespace
     * @return a copy with this setting
     */
    public StoreOptions diskNamespaces(Predicate<String> diskNamespaces) {
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                Objects.requireNonNull(diskNamespaces, "diskNamespaces"), segmentBytes, asyncBacklogBytes,
                mappedReads, mappedAppends);
    }

    /**
     * The size of the log's segment files: once the last segment holds this many bytes, and all but its last 2 MiB
     * are fsynced (a background thread fsyncs a full segment, which takes records meanwhile, up to half this size
     * more), the next record starts a new one. A shrink retires whole segments, oldest first, so smaller segments let it free space in smaller steps, at
     * the cost of more files. Default {@value #DEFAULT_SEGMENT_BYTES} bytes. A log opened with another size keeps
     * its segments as they are; only new ones follow the new size.
     *
     * @param bytes from 512 (sizes that small are for tests) to {@value #MAX_SEGMENT_BYTES}
     * @return a copy with this setting
     */
    public StoreOptions segmentBytes(long bytes) {
        if (bytes < 512 || bytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be from 512 to " + MAX_SEGMENT_BYTES + ", got "
                    + bytes);
        }
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                diskNamespaces, bytes, asyncBacklogBytes, mappedReads, mappedAppends);
    }

    /**
     * How many bytes of ASYNC changes may wait in memory for the syncer, across the store's maps (a change counts its
     * encoded records and about 80 bytes of the objects that hold it). A change that would
     * find more waiting is appended to the log at once instead, and its call returns once it is written, as at
     * WRITE: so a writer that outpaces the syncer slows to the log's pace rather than filling the heap (a put of
     * 1 KB records at ASYNC did that in a 512 MB heap within seconds). Default: the lesser of
     * {@value #MAX_DEFAULT_ASYNC_BACKLOG_BYTES} bytes and a sixteenth of the maximum heap.
     *
     * @param bytes positive
     * @return a copy with this setting
     */
    public StoreOptions asyncBacklogBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("asyncBacklogBytes must be positive, got " + bytes);
        }
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                diskNamespaces, segmentBytes, bytes, mappedReads, mappedAppends);
    }

    /** @return how many bytes of ASYNC changes may wait for the syncer */
    public long asyncBacklogBytes() {
        return asyncBacklogBytes;
    }

    /**
     * Whether a disk-resident entry whose record is in a sealed segment (any but the last) is read through a
     * read-only mapping of that segment's file, a copy out of the page cache, instead of a positional read, a system
     * call each. Default true. The cost of a mapping is how a failure is met: a positional read that fails (a disk's
     * read error, a file cut short by something outside the store) is an I/O error that fails the store, or a
     * damaged record that is dropped; a mapped read of a page that cannot be read is a {@code SIGBUS} the JVM turns
     * into an {@link InternalError} in the reading thread, possibly a little after the read. Set false on storage
     * whose reads may fail (network file systems, say), or where something else may cut the log's files.
     *
     * @param mapped whether sealed segments are read through mappings
     * @return a copy with this setting
     */
    public StoreOptions mappedReads(boolean mapped) {
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                diskNamespaces, segmentBytes, asyncBacklogBytes, mapped, mappedAppends);
    }

    /** @return whether sealed segments are read through mappings ({@link #mappedReads(boolean)}) */
    public boolean mappedReads() {
        return mappedReads;
    }

    /**
     * Whether records are appended by copying them into a read-write mapping of the last segment's end instead of a
     * {@code write(2)} call per batch, on Linux with the local file system ({@link StoreFileSystem#writesThroughMappings};
     * elsewhere always {@code write}). Default true. Durability is the same: what is copied is in the page cache at once,
     * as written bytes are, so an acknowledged change at tier WRITE survives the process being killed, and the fsync of
     * tier FSYNC (and of the syncer) writes it to the disk. The last segment's file runs up to 1 MiB of zeros past its
     * last record, written ahead with {@code write} so that a full disk is met as an I/O error there (it fails the
     * store as a failed write does); an open after a crash cuts them as a torn tail, and the segment's end and the
     * store's close cut them. The cost is as for {@link #mappedReads(boolean)}: something outside the store cutting the
     * log's last file short, or a file system that allocates on every write (copy-on-write ones: btrfs, ZFS) running out
     * of space, is a {@code SIGBUS} in the writing thread, not an I/O error. Set false for those.
     *
     * @param mapped whether appends go through a mapping where the platform allows
     * @return a copy with this setting
     */
    public StoreOptions mappedAppends(boolean mapped) {
        return new StoreOptions(syncInterval, salvage, errorHandler, fileSystem, settlingExecutor, generation,
                diskNamespaces, segmentBytes, asyncBacklogBytes, mappedReads, mapped);
    }

    /** @return whether appends go through a mapping where the platform allows ({@link #mappedAppends(boolean)}) */
    public boolean mappedAppends() {
        return mappedAppends;
    }

    private static long defaultAsyncBacklogBytes() {
        return Math.min(MAX_DEFAULT_ASYNC_BACKLOG_BYTES, Runtime.getRuntime().maxMemory() / 16);
    }

    /** @return the size from which a log segment is full */
    public long segmentBytes() {
        return segmentBytes;
    }

    /** @return which namespaces are read at open as disk-backed */
    public Predicate<String> diskNamespaces() {
        return diskNamespaces;
    }

    /** @return the generation checked at open, or null */
    public String generation() {
        return generation;
    }

    /** @return the executor of settling passes, or null for the store's own thread */
    public Executor settlingExecutor() {
        return settlingExecutor;
    }

    /** @return the background sync period */
    public Duration syncInterval() {
        return syncInterval;
    }

    /** @return whether damaged records followed by valid ones are skipped at open */
    public boolean salvage() {
        return salvage;
    }

    /** @return the failure handler */
    public Consumer<Throwable> errorHandler() {
        return errorHandler;
    }

    /** @return the file system */
    public StoreFileSystem fileSystem() {
        return fileSystem;
    }

    static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
