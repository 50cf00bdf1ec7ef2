package dev.persist.store;

import dev.persist.store.log.LogWriter;
import dev.persist.store.log.LogReplay;
import dev.persist.store.log.RecordFormat;
import dev.persist.store.log.LockFile;
import dev.persist.store.log.BackgroundTasks;
import dev.persist.store.log.ByteKey;
import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.IndexHint;
import dev.persist.store.log.LogSegment;
import dev.persist.store.log.SegmentFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A write-ahead-log store: one log, in segment files ({@code app.log}, {@code app.log.000001}, ...), holding the
 * namespaces of any number of {@link PersistMap}s.
 *
 * <pre>{@code
 * try (Store store = Store.open(Path.of("data/app.log"))) {
 *     PersistMap<String, User> users = store.map("users", User.class);
 *     users.set("ada", new User("Ada"), Durability.FSYNC);
 * }
 * }</pre>
 *
 * <p>{@link #open} takes an exclusive lock (a second process, or a second store of this JVM, gets a
 * {@link StoreLockedException} naming the file), checks the header, replays the log into the registered maps,
 * truncates a torn tail, and starts the background syncer. Maps may be registered before or after open: records of
 * a namespace nobody has registered are held raw ("orphans"), kept through shrinking, and adopted when the
 * namespace registers. {@link #close()} writes pending ASYNC changes, fsyncs, stops the background threads and
 * releases the lock.
 *
 * <p>An I/O error is never silent: the call that hit it throws a {@link StoreFailedException}, the error handler is
 * told, {@link #stats()} shows it, and the store refuses writes until it is reopened.
 */
public final class Store implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());

    private enum State { NEW, OPEN, CLOSED }

    private final StoreOptions options;
    private final ConcurrentMap<String, PersistMap<?, ?>> maps = new ConcurrentHashMap<>();
    /** Raw records of each namespace no map has registered. A namespace's map is never changed once put here (it is
     * replaced or removed whole), so it need not be concurrent: the replay's own map is used as it is. */
    private final ConcurrentMap<String, Map<ByteKey, byte[]>> orphans = new ConcurrentHashMap<>();
    /** The indexes of disk-backed namespaces no map has registered (see {@link StoreOptions#diskNamespaces}). */
    private final ConcurrentMap<String, DiskIndex> diskOrphans = new ConcurrentHashMap<>();
    /**
     * Disk-backed maps append a record and set its index entry under the read side; shrinking takes the write side to
     * note its start and to swap the file (and move the index entries into it), and reads of disk-resident records
     * hold the read side so the file they read is the one their offset is in.
     */
    private final ReentrantReadWriteLock diskLock = new ReentrantReadWriteLock();
    /**
     * Set once memory differs from the log by a change no record holds (a MEMORY-tier change, or an eviction not
     * logged): an index file written at close from memory would then bring back what a replay of the log would not,
     * so none is written.
     */
    private volatile boolean unloggedChanges;
    private final AtomicLong damagedReads = new AtomicLong();
    /** Records of disk-resident entries read back for a read that missed memory. */
    private final LongAdder diskReads = new LongAdder();
    /** Heap of ASYNC changes waiting in the maps for the syncer (see {@link StoreOptions#asyncBacklogBytes}). */
    private final LongAdder asyncBacklog = new LongAdder();
    /** ASYNC changes written at once because the backlog was full ({@link StoreStats#asyncOverflows}). */
    private final LongAdder asyncOverflows = new LongAdder();
    private volatile boolean openedFromIndex;
    /** Registration and detachment (write) against shrinking's snapshot (read): entries moving between a map and
     * the orphans must not be missed by a snapshot. */
    private final ReentrantReadWriteLock registry = new ReentrantReadWriteLock();
    private final ReentrantLock shrinkLock = new ReentrantLock();
    private final Object lifecycle = new Object();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong shrinks = new AtomicLong();
    private final AtomicLong skippedValues = new AtomicLong();
    private long generationClears;
    private long generationClearedKeys;

    /**
     * The store's own namespace: it holds the {@link StoreOptions#generation generation} the log was written with
     * (key {@value #GENERATION_KEY}). A generation clear leaves it alone. No JCache cache's namespace starts with
     * {@code ~} and a letter (see the provider's cache namespaces), so no cache can collide with it.
     */
    public static final String META_NAMESPACE = "~meta";
    /** The key of the recorded generation in {@link #META_NAMESPACE}. */
    public static final String GENERATION_KEY = "generation";

    /** Logs the deletes of entries that maps' memories evicted (see {@link EvictionRelay}). */
    private final ThreadPoolExecutor evictionExecutor = BackgroundTasks.lazyThread("persist-store-evictions");
    /** Fsyncs a full segment before it ends, off the writers' path (see {@link LogWriter}). */
    private final ThreadPoolExecutor logFileExecutor = BackgroundTasks.lazyThread("persist-store-log-files");
    /** Settles adopted values of maps with a {@link DeferredCodec}: one thread, however many maps restart at once. */
    private final Executor settlingExecutor;
    /** Holders of this store (see {@link #retain} and {@link #release}); the opener is the first. */
    private int references = 1;
    private final Condition detached;

    private volatile State state = State.NEW;
    private Path path;
    private LockFile lock;
    private LogWriter writer;
    private BackgroundTasks background;
    private volatile Duration syncInterval;
    /** The identity (device and inode on Unix) of the segment file being written, when it was last checked. */
    private volatile Object logFileKey;
    /** The number of the segment {@link #logFileKey} is of. */
    private volatile long logFileSegment;
    private long tornBytes;
    private long salvagedBytes;

    /** A store with default options, not yet open: register maps, then {@link #openLog(Path)}. */
    public Store() {
        this(StoreOptions.defaults());
    }

    /**
     * A store not yet open: register maps, then {@link #openLog(Path)}.
     *
     * @param options its settings
     */
    public Store(StoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.syncInterval = options.syncInterval();
        this.settlingExecutor = options.settlingExecutor() != null ? options.settlingExecutor()
                : BackgroundTasks.lazyThread("persist-store-settling");
        this.detached = registry.writeLock().newCondition();
    }

    /**
     * Opens (creating if needed) the log at {@code path} with default options.
     *
     * @param path the log file; its directory is created if missing
     * @return the open store
     */
    public static Store open(Path path) {
        return open(path, StoreOptions.defaults());
    }

    /**
     * Opens (creating if needed) the log at {@code path}.
     *
     * @param path    the log file; its directory is created if missing
     * @param options settings
     * @return the open store
     * @throws StoreLockedException if the log is open elsewhere
     * @throws CorruptLogException  if the log is damaged in the middle (and salvage is off) or is not a log
     * @throws StoreException       on any other I/O error, naming the file
     */
    public static Store open(Path path, StoreOptions options) {
        Store store = new Store(options);
        store.openLog(path);
        return store;
    }

    /**
     * Opens the log at {@code path}: lock, replay into the maps registered so far, truncate a torn tail, start the
     * syncer.
     *
     * @param path the log file; its directory is created if missing
     */
    public void openLog(Path path) {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("store already " + (state == State.OPEN ? "open" : "closed"));
            }
            Path file = path.toAbsolutePath().normalize();
            try {
                Path dir = StoreFileSystem.directoryOf(file);
                List<Path> missing = new ArrayList<>();
                for (Path d = dir; d != null && !options.fileSystem().exists(d); d = d.getParent()) {
                    missing.add(d);
                }
                options.fileSystem().createDirectories(dir);
                // a new directory's name is durable only once its parent is fsynced: without this a power cut could
                // take the directory, and the log in it, after FSYNC calls had returned
                for (Path created : missing) {
                    options.fileSystem().fsyncDirectory(StoreFileSystem.directoryOf(created));
                }
            } catch (IOException e) {
                throw new StoreException("cannot create the directory of " + file + ": " + e, e);
            }
            LockFile acquired = LockFile.acquire(file, options.fileSystem());
            List<FileChannel> channels = new ArrayList<>();
            try {
                // a whole-file shrink of a version before segments that died before its rename
                options.fileSystem().deleteIfExists(Shrinker.tempFileOf(file));
                // the same, under the name versions before 0.2 gave the file
                options.fileSystem().deleteIfExists(file.resolveSibling(file.getFileName() + ".compact"));
                List<Long> numbers = SegmentFiles.list(options.fileSystem(), file);
                boolean created = numbers.isEmpty() && options.fileSystem().createFile(file);
                if (numbers.isEmpty()) {
                    numbers = List.of(0L);
                }
                List<LogReplay.Input> inputs = new ArrayList<>();
                Map<Long, FileChannel> byNumber = new HashMap<>();
                for (long n : numbers) {
                    Path segment = SegmentFiles.pathOf(file, n);
                    FileChannel ch = options.fileSystem().open(segment, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    channels.add(ch);
                    inputs.add(new LogReplay.Input(n, segment, ch));
                    byNumber.put(n, ch);
                }
                IndexHint.Loaded hint = created ? null : IndexHint.load(options.fileSystem(), file, byNumber);
                LogReplay replay = LogReplay.run(inputs, options.salvage(), options.diskNamespaces(), hint);
                this.openedFromIndex = replay.fromHint;
                if (created) {
                    options.fileSystem().fsyncDirectory(StoreFileSystem.directoryOf(file));
                }
                this.path = file;
                this.tornBytes = replay.tornBytes;
                this.salvagedBytes = replay.salvagedBytes;
                this.writer = new LogWriter(file, replay.segments, options.segmentBytes(), options.fileSystem(),
                        this::reportFailure, logFileExecutor, options.mappedReads(), options.mappedAppends());
                StoreGeneration generation = new StoreGeneration(options.generation(), writer);
                String recordedGeneration = StoreGeneration.recorded(replay.namespaces.get(META_NAMESPACE));
                long clearLsn = generation.clearIfChanged(file, replay.namespaces, replay.diskIndexes,
                        recordedGeneration);
                this.generationClears = generation.clears();
                this.generationClearedKeys = generation.clearedKeys();
                for (Map.Entry<String, DiskIndex> ns : replay.diskIndexes.entrySet()) {
                    PersistMap<?, ?> map = maps.get(ns.getKey());
                    if (map != null) {
                        adoptIndex(map, ns.getKey(), ns.getValue());
                    } else if (ns.getValue().size() > 0) {
                        diskOrphans.put(ns.getKey(), ns.getValue());
                    }
                }
                for (Map.Entry<String, Map<ByteKey, byte[]>> ns : replay.namespaces.entrySet()) {
                    if (ns.getValue().isEmpty()) {
                        continue;
                    }
                    PersistMap<?, ?> map = maps.get(ns.getKey());
                    if (map != null) {
                        adoptInto(map, ns.getValue());
                        map.startSettling();
                    } else {
                        orphans.put(ns.getKey(), ns.getValue());
                    }
                }
                if (tornBytes > replay.zeroTailBytes) {
                    LOG.log(System.Logger.Level.WARNING, "truncated a torn tail of {0} bytes from {1}", tornBytes, file);
                } else if (tornBytes > 0) {
                    // a crash with mapped appends: the zeros written ahead of the records, no record damaged
                    LOG.log(System.Logger.Level.INFO, "cut {0} bytes of zeros past the last record of {1} (written "
                            + "ahead of appends before the store stopped without closing; no record was damaged)",
                            tornBytes, file);
                }
                Map<ByteKey, byte[]> meta = generation.record(recordedGeneration, clearLsn,
                        orphans.getOrDefault(META_NAMESPACE, Map.of()));
                if (meta != null && !maps.containsKey(META_NAMESPACE)) {
                    orphans.put(META_NAMESPACE, meta); // replaced whole, as orphan maps always are (see the field)
                }
                LogSegment writing = writer.writingSegment();
                this.logFileSegment = writing.number;
                this.logFileKey = fileKeyOrNull(writing.path);
                this.lock = acquired;
                this.state = State.OPEN;
            } catch (IOException | RuntimeException e) {
                for (FileChannel channel : channels) {
                    try {
                        channel.close();
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                acquired.close();
                if (e instanceof StoreException se) {
                    throw se;
                }
                throw new StoreException("cannot open store " + file + ": " + e, e);
            }
            this.background = new BackgroundTasks(file.getFileName().toString(), this::backgroundSync,
                    options.errorHandler());
            background.scheduleSync(syncInterval);
        }
        if (salvagedBytes > 0) {
            LOG.log(System.Logger.Level.WARNING, "salvage skipped {0} damaged bytes of {1}; rewriting the log",
                    salvagedBytes, path);
            shrink();
        }
    }

    /**
     * @return the generation the log was last opened with ({@link StoreOptions#generation}), or null if none was
     *         ever recorded (or the store's namespace is registered as a map)
     */
    public String generation() {
        return StoreGeneration.recorded(orphans.get(META_NAMESPACE));
    }

    /**
     * Counts a value a map's user did not store because the map's codec cannot encode it (a JCache cache set to
     * skip such values): the count is {@link StoreStats#skippedValues()}.
     */
    public void countSkippedValue() {
        skippedValues.incrementAndGet();
    }

    // ---- maps ----

    /**
     * Registers a map with String keys (written as they are) and JSON values, at default tier WRITE.
     *
     * @param name      the namespace
     * @param valueType the value class, for Jackson
     * @param <V>       value type
     * @return the map, holding the namespace's records if the store is open
     */
    public <V> PersistMap<String, V> map(String name, Class<V> valueType) {
        return map(MapConfig.of(name, Codecs.utf8(), Codecs.json(valueType)));
    }

    /**
     * Registers a map with the given codecs, at default tier WRITE.
     *
     * @param name       the namespace
     * @param keyCodec   writes keys
     * @param valueCodec writes values
     * @param <K>        key type
     * @param <V>        value type
     * @return the map
     */
    public <K, V> PersistMap<K, V> map(String name, Codec<K> keyCodec, Codec<V> valueCodec) {
        return map(MapConfig.of(name, keyCodec, valueCodec));
    }

    /**
     * Registers a map. Before open it is filled at open; after open it adopts the namespace's records now (unlike
     * go-persist, which refuses late registration).
     *
     * @param config namespace, codecs, default tier, in-memory map
     * @param <K>    key type
     * @param <V>    value type
     * @return the map
     * <p>If the namespace's map is closing at that moment, this waits until it is detached (at most 30 s) and then
     * adopts its entries: closing one holder and registering another is never a conflict.
     *
     * @throws IllegalStateException if the namespace is registered by a map that is not closing, or the store is
     *                               closed
     */
    public <K, V> PersistMap<K, V> map(MapConfig<K, V> config) {
        registry.writeLock().lock();
        try {
            long waitNanos = TimeUnit.SECONDS.toNanos(30);
            PersistMap<?, ?> holder;
            while ((holder = maps.get(config.name())) != null && holder.isClosing() && waitNanos > 0) {
                try {
                    waitNanos = detached.awaitNanos(waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while '" + config.name() + "' was closing", e);
                }
            }
            if (state == State.CLOSED) {
                throw new IllegalStateException("store " + path + " is closed");
            }
            if (holder != null) {
                throw new IllegalStateException("a map named '" + config.name() + "' is already registered"
                        + (holder.isClosing() ? " and still closing after 30 s" : ""));
            }
            DiskIndex indexed = diskOrphans.remove(config.name());
            PersistMap<K, V> map = new PersistMap<>(this, config, config.diskBytes() > 0 ? indexed : null);
            maps.put(config.name(), map);
            if (indexed != null && config.diskBytes() == 0) {
                adoptIndex(map, config.name(), indexed);
            }
            Map<ByteKey, byte[]> raw = orphans.remove(config.name());
            if (raw != null) {
                adoptInto(map, raw);
                map.startSettling();
            }
            return map;
        } finally {
            registry.writeLock().unlock();
        }
    }

    /** @return the registered map of that namespace, or null */
    public PersistMap<?, ?> registeredMap(String name) {
        return maps.get(name);
    }

    /**
     * Gives a registered map the index of its disk-backed namespace: a disk-backed map takes it as it is; a map held
     * in memory reads every value back (its namespace was disk-backed when the log was read, it is not now).
     */
    private void adoptIndex(PersistMap<?, ?> map, String namespace, DiskIndex index) {
        if (map.isDiskBacked()) {
            map.installIndex(index);
            return;
        }
        adoptInto(map, readAll(namespace, index));
        map.startSettling();
    }

    /**
     * Reads back every record an index points at, in log order: damaged ones are skipped, counted and logged.
     *
     * @return the namespace's live keys and values
     */
    private Map<ByteKey, byte[]> readAll(String namespace, DiskIndex index) {
        List<DiskIndex.Entry> entries = new ArrayList<>(index.size());
        index.entries().forEach(entries::add);
        entries.sort(java.util.Comparator.comparingLong(e -> writer.lsnOf(DiskIndex.offset(e.location()))));
        byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
        Map<ByteKey, byte[]> out = new HashMap<>(Math.max(16, (int) (entries.size() / 0.75f) + 1));
        RecordFormat.Record r = new RecordFormat.Record();
        diskLock.readLock().lock();
        try {
            for (DiskIndex.Entry e : entries) {
                long location = e.location();
                int length = index.length(e, location);
                byte[] record = writer.readAt(DiskIndex.offset(location), length);
                String why = DiskReads.problem(record, length, ns, e.key, r);
                if (why != null) {
                    countDamagedRead();
                    LOG.log(System.Logger.Level.ERROR, "damaged record of ''{0}'' at {1} ({2}): skipped", namespace,
                            writer.describe(DiskIndex.offset(location)), why);
                    continue;
                }
                out.put(new ByteKey(e.key), r.value());
            }
        } finally {
            diskLock.readLock().unlock();
        }
        return out;
    }

    private void adoptInto(PersistMap<?, ?> map, Map<ByteKey, byte[]> raw) {
        long failed = 0;
        Throwable first = null;
        for (Map.Entry<ByteKey, byte[]> e : raw.entrySet()) {
            try {
                map.adopt(e.getKey().bytes, e.getValue());
            } catch (RuntimeException | LinkageError | StackOverflowError | OutOfMemoryError ex) {
                // an Error here comes from decoding this one record (a class that changed, a hostile size): the
                // record is dropped like any undecodable one, and the open goes on
                failed++;
                if (first == null) {
                    first = ex;
                }
            }
        }
        if (failed > 0) {
            undecodable.addAndGet(failed);
            logUndecodable(map.name(), failed, first);
        }
    }

    /** Counts records dropped because they no longer decode, found after load (see PersistMap.dropUndecodable). */
    void countUndecodable(long n) {
        undecodable.addAndGet(n);
    }

    /** Logs records of a namespace dropped because they no longer decode: at load, or later by the map. */
    void logUndecodable(String namespace, long count, Throwable first) {
        LOG.log(System.Logger.Level.WARNING, "dropped " + count + " record(s) of '" + namespace + "' in " + path
                + " that no longer decode (first error: " + first + ")");
    }

    /** Unregisters {@code map}: pending ASYNC changes are written, its entries become orphan records. */
    void detach(PersistMap<?, ?> map) {
        if (maps.get(map.name()) != map || map.isClosed()) {
            return;
        }
        map.quiesce();
        registry.writeLock().lock();
        try {
            if (maps.get(map.name()) != map) {
                return;
            }
            if (state == State.OPEN) {
                map.appendDirty();
                await(writer.appendedLsn(), Durability.WRITE); // records a concurrent syncer took included
            }
            DiskIndex index = map.diskIndex();
            Map<ByteKey, byte[]> raw = index != null ? Map.of()
                    : new HashMap<>(Math.max(16, (int) (map.size() / 0.75f) + 1));
            if (index == null) {
                toRaw(map, raw);
            }
            maps.remove(map.name());
            map.markClosed();
            if (!raw.isEmpty()) {
                orphans.put(map.name(), raw);
            }
            if (index != null && index.size() > 0) {
                diskOrphans.put(map.name(), index); // its records stay where they are, indexed
            }
            detached.signalAll();
        } finally {
            registry.writeLock().unlock();
        }
    }

    private static <K, V> void toRaw(PersistMap<K, V> map, Map<ByteKey, byte[]> raw) {
        map.memory().forEach((k, v) -> {
            try {
                raw.put(new ByteKey(map.keyCodec().encode(k)), map.valueCodec().encode(v));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "entry of '" + map.name() + "' cannot be encoded, not kept: " + e);
            }
        });
    }

    // ---- orphans ----

    /** @return namespaces that have records but no registered map */
    public Set<String> orphanNamespaces() {
        Set<String> all = new TreeSet<>(orphans.keySet());
        all.addAll(diskOrphans.keySet());
        return all;
    }

    /**
     * @param namespace a namespace with no registered map
     * @return its live records (empty if none)
     */
    public List<OrphanRecord> orphans(String namespace) {
        Map<ByteKey, byte[]> raw = orphanValues(namespace);
        List<OrphanRecord> out = new ArrayList<>();
        if (raw != null) {
            raw.forEach((k, v) -> out.add(new OrphanRecord(namespace, k.bytes.clone(), v.clone())));
        }
        return out;
    }

    /**
     * The number of live records of a namespace that no map has registered: how many entries a map registering it
     * now would adopt (so that the caller can size the map's memory for them). Cheap: no record is copied.
     *
     * @param namespace a namespace
     * @return its orphan records; 0 if it has none or a map has registered it
     */
    public int orphanCount(String namespace) {
        Map<ByteKey, byte[]> raw = orphans.get(namespace);
        DiskIndex indexed = diskOrphans.get(namespace);
        return (raw == null ? 0 : raw.size()) + (indexed == null ? 0 : indexed.size());
    }

    /** @return the orphan records of a namespace, those of a disk-backed one read back; null if none */
    private Map<ByteKey, byte[]> orphanValues(String namespace) {
        Map<ByteKey, byte[]> raw = orphans.get(namespace);
        DiskIndex indexed = diskOrphans.get(namespace);
        if (indexed == null) {
            return raw;
        }
        Map<ByteKey, byte[]> read = readAll(namespace, indexed);
        if (raw != null) {
            read.putAll(raw);
        }
        return read;
    }

    /**
     * Reads one orphan record, as go-persist's {@code Get}.
     *
     * @param namespace  a namespace with no registered map
     * @param key        a String key (written as UTF-8)
     * @param valueCodec how the value was written
     * @param <V>        value type
     * @return the value, or null if there is no such record
     */
    public <V> V orphan(String namespace, String key, Codec<V> valueCodec) {
        Map<ByteKey, byte[]> raw = orphanValues(namespace);
        byte[] v = raw == null ? null : raw.get(new ByteKey(key.getBytes(StandardCharsets.UTF_8)));
        return v == null ? null : valueCodec.decode(v);
    }

    /**
     * Deletes every record of a namespace: the registered map's entries (as {@link PersistMap#clear}) or the
     * orphan records.
     *
     * @param namespace the namespace
     * @param tier      how durable the deletes are when this returns
     */
    public void dropNamespace(String namespace, Durability tier) {
        PersistMap<?, ?> map = maps.get(namespace);
        if (map != null) {
            map.clear(tier);
            return;
        }
        registry.writeLock().lock();
        try {
            Map<ByteKey, byte[]> raw = orphans.get(namespace);
            DiskIndex indexed = diskOrphans.get(namespace);
            if (raw == null && indexed == null) {
                return;
            }
            checkWritable();
            byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
            long lsn = 0;
            if (tier != Durability.MEMORY || indexed != null) {
                for (ByteKey k : raw == null ? Set.<ByteKey>of() : raw.keySet()) {
                    lsn = writer.append(RecordFormat.encodeDelete(ns, k.bytes));
                }
                for (DiskIndex.Entry e : indexed == null ? List.<DiskIndex.Entry>of() : indexed.entries()) {
                    lsn = writer.append(RecordFormat.encodeDelete(ns, e.key));
                }
            }
            if (tier == Durability.MEMORY) {
                noteUnloggedChange();
            }
            orphans.remove(namespace);
            diskOrphans.remove(namespace);
            await(lsn, tier == Durability.ASYNC ? Durability.WRITE : tier);
        } finally {
            registry.writeLock().unlock();
        }
    }

    // ---- durability ----

    /**
     * Copies the log into {@code directory} as it is at one moment, while reads and writes go on: every change made
     * before the call is in the copy (pending ASYNC changes are written first), later ones may be or not, and no
     * record is cut short. Shrinks, and {@link #close()}, wait until the copy is taken: a shrink deletes segments,
     * and a copy taken across one would miss records. The copy is fsynced; a store opened on
     * {@code directory.resolve(path().getFileName())} has the caches as they were.
     *
     * @param directory where the copy goes; created if missing, and must be empty
     * @return the files written: the segments in log order, then the index file if the log has one
     * @throws IllegalArgumentException if {@code directory} is not empty
     * @throws StoreException           if reading the log or writing the copy fails: the log is unaffected, the copy
     *                                  is incomplete
     */
    public List<Path> backup(Path directory) {
        Objects.requireNonNull(directory, "directory");
        checkWritable();
        shrinkLock.lock();
        try {
            fsyncAll();
            return new Backup(options.fileSystem(), path, writer).copyTo(directory);
        } catch (IOException e) {
            throw new StoreException("backup of " + path + " into " + directory + " failed: " + e, e);
        } finally {
            shrinkLock.unlock();
        }
    }

    /** Writes every map's pending ASYNC changes and fsyncs the log (go-persist's {@code FSyncAll}). */
    public void fsyncAll() {
        checkWritable();
        checkLogStillInPlace();
        for (PersistMap<?, ?> map : maps.values()) {
            map.appendDirty();
        }
        writer.syncAll();
    }

    /** @return how often the background syncer runs */
    public Duration syncInterval() {
        return syncInterval;
    }

    /**
     * Changes how often the background syncer writes ASYNC changes and fsyncs, from now on.
     *
     * @param interval positive
     */
    public void syncInterval(Duration interval) {
        StoreOptions.requirePositive(interval, "syncInterval");
        synchronized (lifecycle) {
            this.syncInterval = interval;
            if (state == State.OPEN) {
                background.scheduleSync(interval);
            }
        }
    }

    private void backgroundSync() {
        if (state != State.OPEN || writer.failure() != null) {
            return;
        }
        checkLogStillInPlace();
        for (PersistMap<?, ?> map : maps.values()) {
            map.appendDirty();
        }
        writer.syncAll();
    }

    /**
     * Fails the store if the segment file it writes to is no longer at its path (deleted, or replaced by another file,
     * by hand or by a backup restore): every write from then on would go to a file nobody will ever read. Checked
     * every sync interval and at fsyncAll and close, so at most one interval of writes is affected, and they are
     * reported rather than silently lost. Skipped while a shrink runs. A segment written to for the first time since
     * the last check is noted, not compared.
     */
    private void checkLogStillInPlace() {
        if (!shrinkLock.tryLock()) {
            return;
        }
        try {
            LogSegment writing = writer.writingSegment();
            Object now;
            try {
                now = options.fileSystem().fileKey(writing.path);
            } catch (IOException e) {
                now = null;
            }
            if (writing.number != logFileSegment) {
                logFileSegment = writing.number;
                logFileKey = now;
                return;
            }
            if (logFileKey != null && !logFileKey.equals(now)) {
                throw writer.fail("log " + writing.path + " was " + (now == null ? "deleted" : "replaced by another file")
                        + " while the store had it open; changes since the last sync are not in it", new IOException(
                        "file identity changed from " + logFileKey + " to " + now));
            }
        } finally {
            shrinkLock.unlock();
        }
    }

    // ---- shrinking ----

    /**
     * Shrinks the log: retires every segment that holds records now, copying their live records (every map's
     * entries, MEMORY-tier values included, and every orphan record) forward, while reads and writes go on. See
     * {@link Shrinker} for how a crash at any point leaves a log that replays to the same state.
     *
     * @throws StoreException if it fails; the log is then unchanged (apart from copies appended) unless the error is a
     *                        {@link StoreFailedException}
     */
    public void shrink() {
        shrinkWith(Shrinker::runFull);
    }

    /**
     * Retires the segments numbered up to {@code last} (before the active one), as {@link #shrink()} retires all.
     *
     * @return the bytes of the records copied forward
     */
    long shrinkUpTo(long last) {
        return shrinkWith(s -> s.retireUpTo(last));
    }

    private long shrinkWith(java.util.function.ToLongFunction<Shrinker> how) {
        checkWritable();
        shrinkLock.lock();
        try {
            checkWritable();
            long copied = how.applyAsLong(new Shrinker(this));
            shrinks.incrementAndGet();
            writeIndexFile();
            return copied;
        } finally {
            shrinkLock.unlock();
        }
    }

    /**
     * Checks every {@code interval} whether the log holds more than {@code ratio} records per live key, and if so
     * retires the oldest segments whose garbage pays for the copying ({@link ShrinkPlan}). Replaces an earlier
     * schedule.
     *
     * @param interval how often to check; positive
     * @param ratio    records per live key above which to shrink; greater than 1
     */
    public void startAutoShrink(Duration interval, double ratio) {
        StoreOptions.requirePositive(interval, "interval");
        if (!(ratio > 1.0)) {
            throw new IllegalArgumentException("auto-shrink ratio must be greater than 1, got " + ratio);
        }
        synchronized (lifecycle) {
            if (state != State.OPEN) {
                throw new IllegalStateException("store is not open");
            }
            background.scheduleAutoShrink(interval, () -> {
                if (state == State.OPEN && needsShrink(ratio)) {
                    autoShrink(ratio);
                }
            });
        }
    }

    /**
     * One automatic shrink: retires the prefix of segments {@link ShrinkPlan} picks, ending the active segment first
     * if the prefix includes it.
     *
     * @return the bytes copied forward (0 if no prefix is worth it)
     */
    long autoShrink(double ratio) {
        long last = ShrinkPlan.lastToRetire(writer, diskIndexes().values(), hasDiskNamespaces(), ratio);
        if (last < 0) {
            return 0;
        }
        if (last >= writer.activeSegment().number) {
            return shrinkWith(Shrinker::runFull);
        }
        return shrinkUpTo(last);
    }

    /** Stops automatic shrinking. */
    public void stopAutoShrink() {
        synchronized (lifecycle) {
            if (background != null) {
                background.cancelAutoShrink();
            }
        }
    }

    boolean needsShrink(double ratio) {
        long live = liveKeys();
        long records = writer.appendedRecords();
        return records > ratio * Math.max(live, 1);
    }

    /** @return the registered maps (for shrinking, which holds the registry's read lock) */
    Collection<PersistMap<?, ?>> registeredMaps() {
        return maps.values();
    }

    /** @return the orphan records held raw, by namespace (for shrinking, which holds the registry's read lock) */
    Map<String, Map<ByteKey, byte[]>> orphanValuesHeld() {
        return orphans;
    }

    /** @return the indexes of the disk-backed namespaces no map has registered, by namespace */
    Map<String, DiskIndex> diskOrphanIndexes() {
        return diskOrphans;
    }

    // ---- stats and lifecycle ----

    /** @return a snapshot of the store's state */
    public StoreStats stats() {
        if (state == State.NEW) {
            throw new IllegalStateException("store is not open");
        }
        long orphanKeys = orphans.values().stream().mapToLong(Map::size).sum()
                + diskOrphans.values().stream().mapToLong(DiskIndex::size).sum();
        long[] pos = writer.position();
        return new StoreStats(liveKeys(), orphanKeys, pos[1], writer.logBytes(),
                Instant.ofEpochMilli(writer.lastSyncMillis()), writer.writeCalls(), writer.syncCalls(), tornBytes,
                salvagedBytes, undecodable.get(), shrinks.get(), writer.syncNanos(), pendingAsyncKeys(),
                skippedValues.get(), generationClears, generationClearedKeys, damagedReads.get(), diskReads.sum(),
                asyncBacklog.sum(), asyncOverflows.sum(), writer.failure());
    }

    private long pendingAsyncKeys() {
        long n = 0;
        for (PersistMap<?, ?> m : maps.values()) {
            n += m.pendingAsync();
        }
        return n;
    }

    private long liveKeys() {
        long n = 0;
        for (PersistMap<?, ?> m : maps.values()) {
            n += m.size();
        }
        for (Map<ByteKey, byte[]> o : orphans.values()) {
            n += o.size();
        }
        for (DiskIndex o : diskOrphans.values()) {
            n += o.size();
        }
        return n;
    }

    /** @return the log file (absolute), or null before open */
    public Path path() {
        return path;
    }

    /** @return whether the store is open */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /**
     * Writes pending ASYNC changes, fsyncs, stops the background threads, releases the lock. Idempotent.
     *
     * @throws StoreFailedException if the store had failed: everything is released all the same, and what was
     *                              durable before the failure is what the next open finds
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state != State.OPEN) {
                state = State.CLOSED;
                shutdownMapWork();
                return;
            }
            for (PersistMap<?, ?> map : maps.values()) {
                map.quiesce();
            }
            shutdownMapWork();
            background.shutdown();
            shrinkLock.lock(); // let a running shrinking finish
            RuntimeException error = null;
            try {
                try {
                    if (writer.failure() == null) {
                        checkLogStillInPlace();
                        for (PersistMap<?, ?> map : maps.values()) {
                            map.appendDirty();
                        }
                        writer.syncAll();
                        writeIndexFile();
                    }
                } catch (RuntimeException e) {
                    error = e;
                }
                state = State.CLOSED;
                diskLock.writeLock().lock(); // no disk read is copying from a segment's mapping as it is released
                try {
                    writer.close();
                } catch (IOException e) {
                    if (error == null) {
                        error = new StoreException("closing " + path + " failed: " + e, e);
                    }
                } finally {
                    diskLock.writeLock().unlock();
                }
                logFileExecutor.shutdown();
                lock.close();
            } finally {
                shrinkLock.unlock();
            }
            if (error == null && writer.failure() != null) {
                error = new StoreFailedException("store " + path + " was closed after an I/O failure",
                        writer.failure());
            }
            if (error != null) {
                throw error;
            }
        }
    }

    /**
     * Writes the index file for the next open ({@link StoreIndexFile}), if the store has disk-backed namespaces and
     * the log holds every change memory does ({@link #noteUnloggedChange}). At close, and after a shrink.
     */
    private void writeIndexFile() {
        if (unloggedChanges || !hasDiskNamespaces()) {
            return;
        }
        StoreIndexFile.write(this);
    }

    /** @return whether a registered map or an orphan namespace is disk-backed */
    boolean hasDiskNamespaces() {
        if (!diskOrphans.isEmpty()) {
            return true;
        }
        for (PersistMap<?, ?> map : maps.values()) {
            if (map.isDiskBacked()) {
                return true;
            }
        }
        return false;
    }

    /** @return the indexes of every disk-backed namespace, registered or not, by namespace */
    Map<String, DiskIndex> diskIndexes() {
        Map<String, DiskIndex> all = new HashMap<>(diskOrphans);
        for (PersistMap<?, ?> map : maps.values()) {
            if (map.diskIndex() != null) {
                all.put(map.name(), map.diskIndex());
            }
        }
        return all;
    }

    ReentrantReadWriteLock diskLock() {
        return diskLock;
    }

    ReentrantReadWriteLock registry() {
        return registry;
    }

    /** Called by a map that writes an ASYNC change at once because the backlog is full. */
    void countAsyncOverflow() {
        asyncOverflows.increment();
    }

    /** @return whether the ASYNC changes waiting for the syncer fill the backlog: the next change goes to the log */
    boolean asyncBacklogFull() {
        return asyncBacklog.sum() >= options.asyncBacklogBytes();
    }

    /** Notes the heap of ASYNC changes queued for the syncer (positive) or taken from its queue (negative). */
    void addAsyncBacklog(long bytes) {
        asyncBacklog.add(bytes);
    }

    /** @return the heap of the ASYNC changes waiting for the syncer (see {@link StoreStats#asyncBacklogBytes}) */
    long asyncBacklogBytes() {
        return asyncBacklog.sum();
    }

    /** Counts a record of a disk-resident entry read back for a read that missed memory. */
    void countDiskRead() {
        diskReads.increment();
    }

    /** Counts a disk-resident record found damaged when read back. */
    void countDamagedRead() {
        damagedReads.incrementAndGet();
    }

    /** Notes that memory now holds a change the log does not (see {@link #writeIndexAtClose}). */
    void noteUnloggedChange() {
        // read first: a store without disk calls this on every memory-tier change, and an unconditional volatile write
        // would bounce the flag's cache line between cores
        if (!unloggedChanges) {
            unloggedChanges = true;
        }
    }

    /**
     * @return whether the last open read the log's index file (written at the last close or shrink) and replayed only
     *         the records after it, rather than the whole log
     */
    public boolean openedFromIndex() {
        return openedFromIndex;
    }

    private void shutdownMapWork() {
        evictionExecutor.shutdown();
        if (settlingExecutor instanceof ExecutorService own && options.settlingExecutor() == null) {
            own.shutdown();
        }
    }

    // ---- holders ----

    /**
     * Adds a holder: a store shared by several owners (the JCache provider's cache managers of one file) closes when
     * the last one releases it.
     *
     * @return false if the store is already closed (the caller opens the file anew)
     */
    public boolean retain() {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return false;
            }
            references++;
            return true;
        }
    }

    /**
     * Drops a holder and the maps it registered, in one call. If it was the last holder, the store closes with the
     * maps still registered (the log holds their entries: detaching them first would be wasted work). Otherwise the
     * maps are detached, so that another holder can register their namespaces and adopt the entries. A holder
     * registering one of these namespaces meanwhile waits for the detach instead of failing.
     *
     * @param held the maps this holder registered
     * @throws StoreFailedException if closing a failed store (everything is released all the same)
     */
    public void release(Collection<? extends PersistMap<?, ?>> held) {
        for (PersistMap<?, ?> map : held) {
            map.quiesce();
        }
        RuntimeException failure = null;
        synchronized (lifecycle) {
            if (--references > 0) {
                for (PersistMap<?, ?> map : held) {
                    try {
                        detach(map);
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                }
            } else {
                close();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** @return how many holders have retained the store and not released it */
    public int holders() {
        synchronized (lifecycle) {
            return references;
        }
    }

    Executor evictionExecutor() {
        return evictionExecutor;
    }

    Executor settlingExecutor() {
        return settlingExecutor;
    }

    private Object fileKeyOrNull(Path file) {
        try {
            return options.fileSystem().fileKey(file);
        } catch (IOException e) {
            return null;
        }
    }

    // ---- for PersistMap and Shrinker ----

    StoreOptions options() {
        return options;
    }

    LogWriter writer() {
        return writer;
    }

    void checkWritable() {
        State s = state;
        if (s != State.OPEN) {
            throw new IllegalStateException(s == State.NEW ? "store is not open yet" : "store " + path + " is closed");
        }
        writer.checkNotFailed();
    }

    void await(long lsn, Durability tier) {
        if (lsn == 0) {
            return;
        }
        // an ASYNC change with a position was appended at once: the syncer's backlog was full
        if (tier == Durability.WRITE || tier == Durability.ASYNC) {
            writer.awaitWritten(lsn);
        } else if (tier == Durability.FSYNC) {
            writer.awaitSynced(lsn);
        }
    }

    private void reportFailure(Throwable t) {
        try {
            options.errorHandler().accept(t);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "error handler threw", e);
        }
    }

    @Override
    public String toString() {
        return "Store[" + path + ", " + state + "]";
    }
}
