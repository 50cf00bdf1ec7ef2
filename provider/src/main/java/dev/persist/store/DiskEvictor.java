package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.LogWriter;
import dev.persist.store.log.RecordFormat;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.LongStream;

/**
 * Keeps a disk-backed map within its bound ({@link MapConfig#disk}): when its live records exceed it, deletes the
 * keys whose records are oldest in the log, except those memory holds, until about a tenth of the bound is free, on
 * the store's eviction thread.
 *
 * <p>Why oldest record first: the log is append-only, so a record's offset is its write age, and every write of a
 * key moves its record to the end. Choosing by offset needs no per-entry bookkeeping (an LRU over millions of
 * disk-resident keys would need links or timestamps per key, and a write per read to persist them), and one pass
 * over the index finds the cut: a histogram of live bytes by offset gives the offset below which enough bytes lie,
 * and a second pass deletes the keys below it. Shrinking copies records in log order, so it keeps the order.
 *
 * <p>Why not the keys memory holds: FIFO by last write alone would evict a key read often but never written in its
 * turn. The map's memory (for a JCache cache, Caffeine's front) is bounded and keeps the keys that are read, so its
 * keys are left out of the histogram and of the victims: the hot set stays, and the oldest of the rest goes. Only if
 * the keys outside memory cannot free enough (memory's keys alone hold more than the bound allows) does a pass take
 * every key in log order.
 *
 * @param <K> key type
 */
final class DiskEvictor<K> {
    private static final System.Logger LOG = System.getLogger(DiskEvictor.class.getName());
    private static final int BUCKETS = 4096;

    private final PersistMap<K, ?> map;
    private final Consumer<K> listener;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    DiskEvictor(PersistMap<K, ?> map, Consumer<K> listener) {
        this.map = map;
        this.listener = listener;
    }

    /** Runs a pass on {@code executor} unless one is queued or running. */
    void schedule(Executor executor) {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(() -> runAndReschedule(executor));
            } catch (RuntimeException e) {
                scheduled.set(false); // the store is closing: the bound is checked again at the next write
            }
        }
    }

    private void runAndReschedule(Executor executor) {
        boolean failed = false;
        try {
            run();
        } catch (RuntimeException e) {
            failed = true;
            LOG.log(System.Logger.Level.WARNING, "evicting from disk-backed '" + map.name() + "' failed", e);
        } finally {
            scheduled.set(false);
        }
        // writes made during the pass found it scheduled and did not ask again
        if (!failed && map.isOpen() && map.diskIndex().liveBytes() > map.diskBytes()) {
            schedule(executor);
        }
    }

    /** One pass: deletes the oldest keys until the live bytes are about 90 % of the bound. */
    void run() {
        DiskIndex index = map.diskIndex();
        Store store = map.store();
        long bound = map.diskBytes();
        long excess = index.liveBytes() - bound;
        if (excess <= 0 || !map.isOpen() || !store.isOpen()) {
            return;
        }
        long target = excess + bound / 10;
        List<DiskIndex.Entry> victims; // each with its location when chosen (a copy)
        Lock diskLock = store.diskLock().readLock();
        diskLock.lock(); // no segment is retired while positions are compared
        try {
            LogWriter writer = store.writer();
            long first = writer.firstLsn();
            long width = Math.max(1, writer.appendedLsn() - first) / BUCKETS + 1;
            long[] histogram = new long[BUCKETS];
            long[] total = new long[1];
            index.forEachLocation((location, length) -> {
                histogram[bucket(writer, location, first, width)] += length;
                total[0] += length;
            });
            long[] heldHistogram = new long[BUCKETS];
            long[] heldBytes = new long[1];
            long[] held = locationsHeldInMemory(index, (location, length) -> {
                heldHistogram[bucket(writer, location, first, width)] += length;
                heldBytes[0] += length;
            });
            boolean spareHeld = total[0] - heldBytes[0] >= excess;
            long sum = 0;
            int cut = 0;
            while (cut < BUCKETS && sum < target) {
                sum += histogram[cut] - (spareHeld ? heldHistogram[cut] : 0);
                cut++;
            }
            int below = cut;
            victims = index.entriesWhere(location -> bucket(writer, location, first, width) < below
                    && !(spareHeld && Arrays.binarySearch(held, location) >= 0));
        } finally {
            diskLock.unlock();
        }
        long lastLsn = 0;
        long evicted = 0;
        for (int i = 0; i < victims.size() && map.isOpen(); i++) {
            DiskIndex.Entry e = victims.get(i);
            K key;
            try {
                key = map.keyCodec().decode(e.key);
            } catch (RuntimeException ex) {
                continue; // a key that does not decode cannot be locked; the map drops it when met
            }
            ReentrantLock lock = map.locks().lockFor(key);
            lock.lock();
            try {
                if (map.hasPending(key) || index.location(e.key) != e.location()) {
                    continue; // written again since: no longer among the oldest
                }
                lastLsn = DiskWrites.append(store, index, RecordFormat.encodeDelete(map.nameBytes(), e.key), null);
                map.evicted(key);
            } finally {
                lock.unlock();
            }
            evicted++;
            try {
                listener.accept(key);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "disk eviction listener of '" + map.name() + "' failed", ex);
            }
        }
        Durability tier = map.evictionDurability();
        if (lastLsn != 0 && (tier == Durability.WRITE || tier == Durability.FSYNC)) {
            store.await(lastLsn, tier);
        }
        LOG.log(System.Logger.Level.DEBUG, "evicted {0} oldest key(s) of disk-backed ''{1}'' over its bound of {2} "
                + "bytes", evicted, map.name(), bound);
    }

    /**
     * @param each gets the location and record length of each key memory holds
     * @return the locations of the keys the map's memory holds now, sorted (a key memory holds that the index no
     *         longer has, or whose key does not encode, is left out)
     */
    private long[] locationsHeldInMemory(DiskIndex index, DiskIndex.LocationVisitor each) {
        LongStream.Builder locations = LongStream.builder();
        for (K key : map.memory().keySet()) {
            byte[] bytes;
            long location;
            try {
                bytes = map.keyCodec().encode(key);
                location = index.location(bytes);
            } catch (RuntimeException e) {
                continue;
            }
            if (location == DiskIndex.NONE) {
                continue;
            }
            each.visit(location, index.length(bytes, location));
            locations.add(location);
        }
        return locations.build().sorted().toArray();
    }

    /** Buckets by LSN, which orders records across segments as the log does (a position's offset does not). */
    private static int bucket(LogWriter writer, long location, long firstLsn, long width) {
        long age = writer.lsnOf(DiskIndex.offset(location)) - firstLsn;
        return (int) Math.min(BUCKETS - 1, Math.max(0, age) / width);
    }
}
