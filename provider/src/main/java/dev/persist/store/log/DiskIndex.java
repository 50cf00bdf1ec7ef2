package dev.persist.store.log;

import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The index of one disk-backed namespace: key bytes to the location of the key's last SET record in the log's
 * segment files. Values are not held: a read finds the record here and reads it back.
 *
 * <p>Heap per entry is kept small on purpose (a namespace may hold millions of keys): one {@link Entry} (24 bytes:
 * header, key reference, one {@code long}) serves as both key and value of the map, so the map's node, the entry and
 * the key's array are all there is (measured: about 86 bytes plus the key's bytes on a 64-bit JVM with compressed
 * pointers).
 * The location packs the record's position (the slot of its segment file and its offset there) and its length into
 * that one {@code long} (see {@link #pack}); a record too long for its field (1 MiB or more) keeps its length in a
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
    /** One key and its record's location. Equal by key bytes. */
    public static final class Entry {
        /** The key as written in the record. */
        public final byte[] key;
        volatile long location;

        Entry(byte[] key, long location) {
            this.key = key;
            this.location = location;
        }

        /** @return the packed location of the key's record (see {@link DiskIndex#pack}) */
        public long location() {
            return location;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && Arrays.equals(key, e.key);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }
    }

    private final ConcurrentHashMap<Entry, Entry> entries;
    /** Lengths of records whose length does not fit the packed field (1 MiB or more): rare. */
    private final ConcurrentHashMap<Entry, Integer> longRecords = new ConcurrentHashMap<>();
    private final AtomicLong liveBytes = new AtomicLong();

    /** An empty index. */
    public DiskIndex() {
        this(16);
    }

    /** @param expected how many keys it will hold (sizes the table once) */
    public DiskIndex(int expected) {
        this.entries = new ConcurrentHashMap<>(Math.max(16, expected));
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
        int n = packedLength(location);
        if (n != 0) {
            return n;
        }
        Integer big = longRecords.get(e);
        return big == null ? 0 : big;
    }

    /** @return the entry of {@code key}, or null */
    public Entry entry(byte[] key) {
        return entries.get(new Entry(key, 0));
    }

    /** @return whether {@code key} has an entry */
    public boolean contains(byte[] key) {
        return entries.containsKey(new Entry(key, 0));
    }

    /**
     * Points {@code key} at a record whose value is not known to be plain (a replay's), adding the key if it is new.
     *
     * @param key      key bytes (kept: the caller must not change them)
     * @param position the record's position ({@link #position(long, long)})
     * @param length   the record's size on disk
     */
    public void put(byte[] key, long position, int length) {
        put(key, position, length, false);
    }

    /**
     * Points {@code key} at a record, adding the key if it is new.
     *
     * @param key      key bytes (kept: the caller must not change them)
     * @param position the record's position ({@link #position(long, long)})
     * @param length   the record's size on disk
     * @param plain    whether the record's value is plain (see the class comment)
     */
    public void put(byte[] key, long position, int length, boolean plain) {
        long location = pack(position, length, plain);
        Entry probe = new Entry(key, location);
        Entry e = entries.putIfAbsent(probe, probe);
        if (e == null) {
            e = probe;
        } else {
            liveBytes.addAndGet(-length(e, e.location));
            e.location = location;
        }
        if (packedLength(location) == 0) {
            longRecords.put(e, length);
        } else if (!longRecords.isEmpty()) {
            longRecords.remove(e);
        }
        liveBytes.addAndGet(length);
    }

    /**
     * @param key key bytes
     * @return whether the key had an entry
     */
    public boolean remove(byte[] key) {
        Entry e = entries.remove(new Entry(key, 0));
        if (e == null) {
            return false;
        }
        liveBytes.addAndGet(-length(e, e.location));
        if (!longRecords.isEmpty()) {
            longRecords.remove(e);
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
        for (Entry e : entries.keySet()) {
            if (slots.get(slotOfPosition(offset(e.location)))) {
                remove(e.key);
                lost++;
            }
        }
        return lost;
    }

    /** @return the entries (weakly consistent) */
    public Collection<Entry> entries() {
        return entries.keySet();
    }

    /** @return how many keys */
    public int size() {
        return entries.size();
    }

    /** @return the bytes of the records the index points at: the namespace's live data on disk */
    public long liveBytes() {
        return liveBytes.get();
    }

    /** Removes every entry. */
    public void clear() {
        entries.clear();
        longRecords.clear();
        liveBytes.set(0);
    }
}
