package dev.persist.store.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * The index of one disk-backed namespace: key bytes to the location of the key's last SET record in the log's
 * segment files. Values are not held: a read finds the record here and reads it back.
 *
 * <p>Heap per entry is kept small on purpose (a namespace may hold millions of keys), and so is the number of
 * objects: the entries live in the primitive arrays of {@value #SHARDS} hash tables ({@link IndexShard}), keys copied
 * into an arena, so a table of millions of keys is a few hundred arrays, which the garbage collector marks without
 * visiting each entry. A map of one object per entry (node, entry, key array) made every G1 marking cycle trace three
 * objects per key.
 * The location packs the record's position (the slot of its segment file and its offset there) and its length into
 * one {@code long} (see {@link #pack}); a record too long for its field (1 MiB or more) keeps its length in a
 * side map, which only such rare records enter. The top bit of the location is the record's <em>plain</em> mark
 * (the map's codec says which values are plain, see {@code DeferredCodec#isPlain}): clear means "not plain, or not
 * known", so an entry built without the codec (a replay) is only ever slower, never wrong.
 *
 * <p>Changes of one key are made by one thread at a time (the map's key lock, or replay, or shrinking with every
 * writer blocked); reads are lock-free.
 */
public final class DiskIndex {
    /** Bits of the packed location that hold the record's length. */
    static final int LENGTH_BITS = 20;
    private static final long LENGTH_MASK = (1L << LENGTH_BITS) - 1;
    /** Bits of a position that hold the offset within its segment: 8 GiB per segment file. */
    static final int SEGMENT_OFFSET_BITS = 33;
    /** The largest offset within one segment file that a location can hold. */
    public static final long MAX_SEGMENT_OFFSET = (1L << SEGMENT_OFFSET_BITS) - 1;
    /**
     * Bits of a position that hold the segment's slot (its number modulo {@link #SEGMENT_SLOTS}): a log never has
     * more live segments than slots, so a slot names one segment.
     */
    static final int SLOT_BITS = 10;
    /** How many segments a log can have at once. */
    public static final int SEGMENT_SLOTS = 1 << SLOT_BITS;
    /** The bit of a packed location that marks the record's value plain (the bits of a position end below it). */
    private static final long PLAIN = Long.MIN_VALUE;
    /** Shards of the table; a power of two. */
    static final int SHARDS = 64;
    /** What {@link #location} returns for a key without an entry: no record starts at a segment's first byte. */
    public static final long NONE = IndexShard.NONE;

    /** A key and its record's location, as read at one moment (a copy: the index does not change it). */
    public static final class Entry {
        /** The key as written in the record. */
        public final byte[] key;
        private final long location;

        Entry(byte[] key, long location) {
            this.key = key;
            this.location = location;
        }

        /** @return the packed location of the key's record (see {@link DiskIndex#pack}) */
        public long location() {
            return location;
        }
    }

    private final IndexShard[] shards = new IndexShard[SHARDS];
    /** Lengths of records whose length does not fit the packed field (1 MiB or more): rare. */
    private final ConcurrentHashMap<ByteKey, Integer> longRecords = new ConcurrentHashMap<>();
    private final LongAdder liveBytes = new LongAdder();

    /** An empty index. */
    public DiskIndex() {
        this(16);
    }

    /** @param expected how many keys it will hold (sizes the table once) */
    public DiskIndex(int expected) {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new IndexShard(expected / SHARDS);
        }
    }

    /**
     * @param segment the number of the record's segment file
     * @param offset  the record's offset in that file
     * @return both as one position (the segment's slot above the offset), as {@link #pack} takes it
     */
    public static long position(long segment, long offset) {
        if (offset < 0 || offset > MAX_SEGMENT_OFFSET) {
            throw new IllegalArgumentException("offset " + offset + " of log segment " + segment + " beyond what a "
                    + "disk index can hold (" + MAX_SEGMENT_OFFSET + ")");
        }
        return (slotOf(segment) << SEGMENT_OFFSET_BITS) | offset;
    }

    /** @return the slot of segment number {@code segment} */
    public static long slotOf(long segment) {
        return Math.floorMod(segment, (long) SEGMENT_SLOTS);
    }

    /** @return the slot of the segment of a position */
    public static int slotOfPosition(long position) {
        return (int) (position >>> SEGMENT_OFFSET_BITS);
    }

    /** @return the offset within its segment of a position */
    public static long offsetOfPosition(long position) {
        return position & MAX_SEGMENT_OFFSET;
    }

    /**
     * @param position the record's position ({@link #position(long, long)})
     * @param length   its size on disk, prefix included
     * @return both in one {@code long}: the position in the high bits, the length (0 if it does not fit) in the low
     */
    public static long pack(long position, int length) {
        return pack(position, length, false);
    }

    /**
     * @param position the record's position ({@link #position(long, long)})
     * @param length   its size on disk, prefix included
     * @param plain    whether its value is plain
     * @return all three in one {@code long}: the plain mark in the top bit, the position below it, the length (0 if
     *         it does not fit) in the low bits
     */
    public static long pack(long position, int length, boolean plain) {
        if (position < 0 || position >>> (SEGMENT_OFFSET_BITS + SLOT_BITS) != 0) {
            throw new IllegalArgumentException("log position " + position + " beyond what a disk index can hold");
        }
        return (plain ? PLAIN : 0) | (position << LENGTH_BITS) | (length <= LENGTH_MASK ? length : 0);
    }

    /** @return the position (segment slot and offset) of a packed location */
    public static long offset(long location) {
        return (location & ~PLAIN) >>> LENGTH_BITS;
    }

    /** @return whether a packed location marks its record's value plain */
    public static boolean isPlain(long location) {
        return (location & PLAIN) != 0;
    }

    private static int packedLength(long location) {
        return (int) (location & LENGTH_MASK);
    }

    /** @return the record's length of a packed location, looking up a long record's length */
    public int length(Entry e, long location) {
        return length(e.key, location);
    }

    /** @return the record's length of {@code key}'s packed location, looking up a long record's length */
    public int length(byte[] key, long location) {
        int n = packedLength(location);
        if (n != 0) {
            return n;
        }
        Integer big = longRecords.get(new ByteKey(key));
        return big == null ? 0 : big;
    }

    private static int hash(byte[] key) {
        int h = Arrays.hashCode(key) * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private IndexShard shardOf(int hash) {
        return shards[hash >>> (Integer.SIZE - Integer.numberOfTrailingZeros(SHARDS))];
    }

    /**
     * Lock-free.
     *
     * @return the packed location of {@code key}'s record, or {@link #NONE} if it has no entry
     */
    public long location(byte[] key) {
        int h = hash(key);
        return shardOf(h).get(key, h);
    }

    /** @return the entry of {@code key} as it is now, or null */
    public Entry entry(byte[] key) {
        long location = location(key);
        return location == NONE ? null : new Entry(key.clone(), location);
    }

    /** @return whether {@code key} has an entry */
    public boolean contains(byte[] key) {
        return location(key) != NONE;
    }

    /**
     * Points {@code key} at a record whose value is not known to be plain (a replay's), adding the key if it is new.
     *
     * @param key      key bytes (copied: the caller may reuse the array)
     * @param position the record's position ({@link #position(long, long)})
     * @param length   the record's size on disk
     */
    public void put(byte[] key, long position, int length) {
        put(key, position, length, false);
    }

    /**
     * Points {@code key} at a record, adding the key if it is new.
     *
     * @param key      key bytes (copied: the caller may reuse the array)
     * @param position the record's position ({@link #position(long, long)})
     * @param length   the record's size on disk
     * @param plain    whether the record's value is plain (see the class comment)
     */
    public void put(byte[] key, long position, int length, boolean plain) {
        long location = pack(position, length, plain);
        if (location == NONE) {
            throw new IllegalArgumentException("no record starts at a log segment's first byte (its header)");
        }
        int h = hash(key);
        long before = shardOf(h).put(key, h, location);
        if (before != NONE) {
            liveBytes.add(-length(key, before));
        }
        if (packedLength(location) == 0) {
            longRecords.put(new ByteKey(key.clone()), length);
        } else if (before != NONE && packedLength(before) == 0) {
            longRecords.remove(new ByteKey(key));
        }
        liveBytes.add(length);
    }

    /**
     * @param key key bytes
     * @return whether the key had an entry
     */
    public boolean remove(byte[] key) {
        int h = hash(key);
        long before = shardOf(h).remove(key, h);
        if (before == NONE) {
            return false;
        }
        liveBytes.add(-length(key, before));
        if (packedLength(before) == 0) {
            longRecords.remove(new ByteKey(key));
        }
        return true;
    }

    /**
     * Removes every entry whose record is in a segment of one of {@code slots} (the segments a shrink retired): their
     * records were in damaged bytes the shrink skipped (none, unless the log was damaged).
     *
     * @param slots which slots are gone
     * @return how many entries were removed
     */
    public long removeIn(java.util.BitSet slots) {
        long lost = 0;
        for (Entry e : entriesWhere(location -> slots.get(slotOfPosition(offset(location))))) {
            remove(e.key);
            lost++;
        }
        return lost;
    }

    /** What {@link #forEachLocation} passes for each entry. */
    @FunctionalInterface
    public interface LocationVisitor {
        /**
         * @param location the entry's packed location
         * @param length   its record's length
         */
        void visit(long location, int length);
    }

    /**
     * Visits every entry's location and record length, one shard at a time under its read lock, copying no key
     * (except a record's of 1 MiB or more, whose length is kept by key): for the passes over every entry that need
     * only where the records are (shrink planning, disk eviction). {@code visitor} must not change this index.
     *
     * @param visitor called once per entry
     */
    public void forEachLocation(LocationVisitor visitor) {
        for (IndexShard shard : shards) {
            shard.forEach(location -> packedLength(location) == 0,
                    (key, location) -> visitor.visit(location, length(key, location)),
                    location -> visitor.visit(location, packedLength(location)));
        }
    }

    /**
     * The entries whose location passes {@code test}, copied (only their keys are): weakly consistent like
     * {@link #entries()}.
     *
     * @param test which locations
     * @return their entries, as found
     */
    public List<Entry> entriesWhere(LongPredicate test) {
        List<Entry> out = new ArrayList<>();
        for (IndexShard shard : shards) {
            shard.forEach(test, (key, location) -> out.add(new Entry(key, location)), location -> { });
        }
        return out;
    }

    /**
     * The entries, copied one shard at a time as the iteration reaches it: weakly consistent (a change made during
     * the iteration may be seen or not), and no key is seen twice.
     *
     * @return the entries
     */
    public Iterable<Entry> entries() {
        return () -> new Iterator<>() {
            private int shard;
            private IndexShard.Snapshot snapshot;
            private int next;

            @Override
            public boolean hasNext() {
                while (snapshot == null || next == snapshot.keys().length) {
                    if (shard == SHARDS) {
                        return false;
                    }
                    snapshot = shards[shard++].snapshot();
                    next = 0;
                }
                return true;
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Entry e = new Entry(snapshot.keys()[next], snapshot.locations()[next]);
                next++;
                return e;
            }
        };
    }

    /** @return how many keys */
    public int size() {
        long n = 0;
        for (IndexShard s : shards) {
            n += s.size();
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** @return the bytes of the records the index points at: the namespace's live data on disk */
    public long liveBytes() {
        return liveBytes.sum();
    }

    /** @return bytes of heap the index's tables take, keys included (the long records' side map aside) */
    long heapBytes() {
        long n = 0;
        for (IndexShard s : shards) {
            n += s.heapBytes();
        }
        return n;
    }

    /** Removes every entry. */
    public void clear() {
        for (IndexShard s : shards) {
            s.clear();
        }
        longRecords.clear();
        liveBytes.reset();
    }
}
