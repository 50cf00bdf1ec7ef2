package dev.persist.store.log;

import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The index of one disk-backed namespace: key bytes to the location of the key's last SET record in the current log
 * file. Values are not held: a read finds the record here and reads it back.
 *
 * <p>Heap per entry is kept small on purpose (a namespace may hold millions of keys): one {@link Entry} (24 bytes:
 * header, key reference, one {@code long}) serves as both key and value of the map, so the map's node, the entry and
 * the key's array are all there is (measured: about 86 bytes plus the key's bytes on a 64-bit JVM with compressed
 * pointers).
 * The location packs the file offset and the record's length into that one {@code long} (see {@link #pack}); a record
 * too long for its field keeps its length in a side map, which only such rare records enter.
 *
 * <p>Changes of one key are made by one thread at a time (the map's key lock, or replay, or shrinking with every
 * writer blocked); reads are lock-free.
 */
public final class DiskIndex {
    /** Bits of the packed location that hold the record's length. */
    static final int LENGTH_BITS = 23;
    private static final long LENGTH_MASK = (1L << LENGTH_BITS) - 1;
    /** Bits that hold the file offset: 1 TiB of log file. */
    static final int OFFSET_BITS = 40;
    public static final long MAX_OFFSET = (1L << OFFSET_BITS) - 1;
    /** Set by shrinking on a location it has moved into the new file, cleared when the move is complete. */
    public static final long MOVED = 1L << 63;

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
    /** Lengths of records whose length does not fit the packed field (over 8 MiB): rare. */
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
     * @param offset the record's file offset
     * @param length its size on disk, prefix included
     * @return both in one {@code long}: the offset in the high bits, the length (0 if it does not fit) in the low
     */
    public static long pack(long offset, int length) {
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("log offset " + offset + " beyond what a disk index can hold ("
                    + MAX_OFFSET + ")");
        }
        return (offset << LENGTH_BITS) | (length <= LENGTH_MASK ? length : 0);
    }

    /** @return the file offset of a packed location */
    public static long offset(long location) {
        return (location & ~MOVED) >>> LENGTH_BITS;
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
     * Points {@code key} at a record, adding the key if it is new.
     *
     * @param key    key bytes (kept: the caller must not change them)
     * @param offset the record's file offset
     * @param length the record's size on disk
     */
    public void put(byte[] key, long offset, int length) {
        long location = pack(offset, length);
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
     * Moves an entry to a new location (shrinking): the record is the same, only its place changed, so the live
     * bytes do not change.
     *
     * @param e           the entry
     * @param expected    its location as the caller saw it
     * @param newLocation the new location, packed (marked moved until {@link #relocate})
     * @return false if the entry had changed meanwhile (it is then left alone)
     */
    public static boolean move(Entry e, long expected, long newLocation) {
        if (e.location != expected) {
            return false;
        }
        e.location = newLocation | MOVED;
        return true;
    }

    /**
     * Shrinking, with every writer blocked and the new file in place: an entry {@link #move moved} into the new file
     * loses its mark; any other entry's record was appended after the shrink began, and was copied from
     * {@code tailStart} of the old file to {@code newTailStart} of the new one with all that followed it.
     *
     * @param tailStart    where the copied tail began in the old file
     * @param newTailStart where it begins in the new file
     * @return entries that point before the copied tail and were not moved, now removed: their records were in
     *         damaged bytes the shrink skipped (none, unless the log was damaged)
     */
    public long relocate(long tailStart, long newTailStart) {
        long lost = 0;
        for (Entry e : entries.keySet()) {
            long location = e.location;
            if ((location & MOVED) != 0) {
                e.location = location & ~MOVED;
                continue;
            }
            long offset = offset(location);
            if (offset >= tailStart) {
                e.location = ((offset - tailStart + newTailStart) << LENGTH_BITS) | (location & LENGTH_MASK);
            } else {
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
