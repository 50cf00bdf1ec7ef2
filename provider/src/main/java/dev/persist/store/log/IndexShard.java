package dev.persist.store.log;

import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import java.util.function.ObjLongConsumer;
import java.util.concurrent.locks.StampedLock;

/**
 * One shard of a {@link DiskIndex}: an open-addressing hash table (linear probing, deletion by backward shift, so no
 * tombstones) from key bytes to a packed location, held in primitive arrays. The keys' bytes sit one after another
 * in an arena, each behind its length. No object per entry: a table of millions of keys is a few arrays the garbage
 * collector does not have to trace entry by entry, which a map of entry objects made it do at every marking cycle.
 *
 * <p>Writers take the shard's write lock. Readers take no lock: they read optimistically ({@link StampedLock}) and
 * retry, under the read lock at last, if a writer ran meanwhile. What an optimistic reader sees may be torn (a slot
 * half moved, an arena replaced), so every index it follows is bounds-checked and every probe is bounded; its result
 * counts only once the stamp validates.
 */
final class IndexShard {
    /** No entry: locations are never 0 (a segment's first bytes are its header, where no record starts). */
    static final long NONE = 0L;
    /** A slot's hash with this bit set marks the slot used. */
    private static final int USED = 0x8000_0000;
    private static final int MIN_CAPACITY = 16;
    private static final int OPTIMISTIC_TRIES = 3;
    /** The largest arena an array can hold. */
    private static final int MAX_ARENA = Integer.MAX_VALUE - 16;

    private final StampedLock lock = new StampedLock();
    // written under the write lock only; read by optimistic readers, who validate
    private int[] hashes = new int[0];
    private int[] keyAt = new int[0];
    private long[] locations = new long[0];
    private byte[] arena = new byte[0];
    private int arenaEnd;
    /** Arena bytes of removed keys, reclaimed when the arena is next full. */
    private int garbage;
    private volatile int size;

    /** @param expected how many keys it will hold (sizes the table once; 0 allocates on the first key) */
    IndexShard(int expected) {
        if (expected > 0) {
            int capacity = Integer.highestOneBit((int) Math.min(1 << 29, expected * 10L / 7 + 1)) << 1;
            hashes = new int[capacity];
            keyAt = new int[capacity];
            locations = new long[capacity];
        }
    }

    /** @return the key's location, or {@link #NONE} */
    long get(byte[] key, int hash) {
        for (int i = 0; i < OPTIMISTIC_TRIES; i++) {
            long stamp = lock.tryOptimisticRead();
            if (stamp == 0) {
                continue;
            }
            long found = find(key, hash);
            if (lock.validate(stamp)) {
                return found;
            }
        }
        long stamp = lock.readLock();
        try {
            return find(key, hash);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** The probe, safe on a torn view: returns {@link #NONE} when an index runs out of bounds. */
    private long find(byte[] key, int hash) {
        int[] h = hashes;
        int[] at = keyAt;
        long[] loc = locations;
        byte[] a = arena;
        int capacity = h.length;
        if (capacity == 0 || at.length != capacity || loc.length != capacity) {
            return NONE;
        }
        int mask = capacity - 1;
        int want = hash | USED;
        for (int probes = 0, i = want & mask; probes < capacity; probes++, i = (i + 1) & mask) {
            int s = h[i];
            if (s == 0) {
                return NONE;
            }
            if (s == want && keyEquals(a, at[i], key)) {
                return loc[i];
            }
        }
        return NONE;
    }

    private static boolean keyEquals(byte[] arena, int at, byte[] key) {
        int len = key.length;
        int start = at + varintSize(len);
        if (at < 0 || start + len > arena.length || start + len < 0 || readVarint(arena, at) != len) {
            return false;
        }
        return Arrays.equals(arena, start, start + len, key, 0, len);
    }

    /**
     * Called under the caller's key lock: points {@code key} at {@code location}.
     *
     * @return the key's location before, or {@link #NONE} if it is new
     */
    long put(byte[] key, int hash, long location) {
        long stamp = lock.writeLock();
        try {
            int i = slotOf(key, hash);
            if (i >= 0) {
                long before = locations[i];
                locations[i] = location;
                return before;
            }
            int free = -i - 1; // where the probe ended: the key's slot, unless the table grows first
            if ((size + 1) * 10L > hashes.length * 7L) {
                resize(Math.max(MIN_CAPACITY, hashes.length * 2));
                free = -slotOf(key, hash) - 1;
            }
            keyAt[free] = appendKey(key);
            locations[free] = location;
            hashes[free] = hash | USED;
            size++;
            return NONE;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Called under the caller's key lock.
     *
     * @return the key's location before, or {@link #NONE} if it had none
     */
    long remove(byte[] key, int hash) {
        long stamp = lock.writeLock();
        try {
            int i = slotOf(key, hash);
            if (i < 0) {
                return NONE;
            }
            long before = locations[i];
            garbage += varintSize(key.length) + key.length;
            deleteAt(i);
            size--;
            return before;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Under the write lock.
     *
     * @return the key's slot, or if it has none {@code -(free slot) - 1}: the empty slot its probe ended at (-1 for a
     *         table not allocated yet)
     */
    private int slotOf(byte[] key, int hash) {
        int capacity = hashes.length;
        if (capacity == 0) {
            return -1;
        }
        int mask = capacity - 1;
        int want = hash | USED;
        for (int i = want & mask; ; i = (i + 1) & mask) {
            int s = hashes[i];
            if (s == 0) {
                return -i - 1;
            }
            if (s == want && keyEquals(arena, keyAt[i], key)) {
                return i;
            }
        }
    }

    /** Under the write lock: empties slot {@code hole} and moves up the entries after it that probed past it. */
    private void deleteAt(int hole) {
        int mask = hashes.length - 1;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int s = hashes[j];
            if (s == 0) {
                break;
            }
            int home = s & mask;
            boolean homeBetween = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeBetween) {
                hashes[hole] = s;
                keyAt[hole] = keyAt[j];
                locations[hole] = locations[j];
                hole = j;
            }
        }
        hashes[hole] = 0;
        keyAt[hole] = 0;
        locations[hole] = NONE;
    }

    private void resize(int capacity) {
        int[] oldHashes = hashes;
        int[] oldAt = keyAt;
        long[] oldLoc = locations;
        int[] h = new int[capacity];
        int[] at = new int[capacity];
        long[] loc = new long[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < oldHashes.length; i++) {
            int s = oldHashes[i];
            if (s != 0) {
                int j = s & mask;
                while (h[j] != 0) {
                    j = (j + 1) & mask;
                }
                h[j] = s;
                at[j] = oldAt[i];
                loc[j] = oldLoc[i];
            }
        }
        hashes = h;
        keyAt = at;
        locations = loc;
    }

    /** Under the write lock: copies the key into the arena (growing or compacting it first if full). */
    private int appendKey(byte[] key) {
        int need = varintSize(key.length) + key.length;
        if ((long) arenaEnd + need > arena.length) {
            makeRoom(need);
        }
        int at = arenaEnd;
        int p = writeVarint(arena, at, key.length);
        System.arraycopy(key, 0, arena, p, key.length);
        arenaEnd = p + key.length;
        return at;
    }

    private void makeRoom(int need) {
        long live = (long) arenaEnd - garbage;
        if (live + need > MAX_ARENA) {
            throw new IllegalStateException("a disk index shard cannot hold more than " + MAX_ARENA
                    + " bytes of keys");
        }
        if (garbage * 4L < arenaEnd && (long) arenaEnd + need <= MAX_ARENA) {
            // little garbage (a replay, a fill): grow in place, every key stays where it is, no pass over the slots
            long grown = Math.max(64, Math.max((long) arenaEnd + need, arenaEnd + (long) (arenaEnd >> 1)));
            arena = Arrays.copyOf(arena, (int) Math.min(MAX_ARENA, grown));
            return;
        }
        long wanted = Math.min(MAX_ARENA, Math.max(64, Math.max(live + need, live + (live >> 1))));
        // compact into a new arena: removed keys' bytes are left behind, the slots point at the copies
        byte[] next = new byte[(int) wanted];
        int end = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0) {
                int at = keyAt[i];
                int len = readVarint(arena, at);
                int total = varintSize(len) + len;
                System.arraycopy(arena, at, next, end, total);
                keyAt[i] = end;
                end += total;
            }
        }
        arena = next;
        arenaEnd = end;
        garbage = 0;
    }

    /** @return how many keys */
    int size() {
        return size;
    }

    /** A consistent copy of the shard's keys and locations, taken under the read lock. */
    record Snapshot(byte[][] keys, long[] locations) {
    }

    /** @return the keys and locations at one moment */
    Snapshot snapshot() {
        long stamp = lock.readLock();
        try {
            byte[][] keys = new byte[size][];
            long[] locs = new long[size];
            int n = 0;
            for (int i = 0; i < hashes.length; i++) {
                if (hashes[i] != 0) {
                    keys[n] = keyOf(i);
                    locs[n] = locations[i];
                    n++;
                }
            }
            return new Snapshot(keys, locs);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * Under the read lock: each location, and a copy of the key of those that {@code withKey} asks for.
     *
     * @param withKey  which locations need their key (tested first)
     * @param keyed    called with a copy of the key and the location, for those
     * @param unkeyed  called with the location, for the others
     */
    void forEach(LongPredicate withKey, ObjLongConsumer<byte[]> keyed, LongConsumer unkeyed) {
        long stamp = lock.readLock();
        try {
            for (int i = 0; i < hashes.length; i++) {
                if (hashes[i] != 0) {
                    long location = locations[i];
                    if (withKey.test(location)) {
                        keyed.accept(keyOf(i), location);
                    } else {
                        unkeyed.accept(location);
                    }
                }
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private byte[] keyOf(int slot) {
        int at = keyAt[slot];
        int len = readVarint(arena, at);
        int start = at + varintSize(len);
        return Arrays.copyOfRange(arena, start, start + len);
    }

    /** Removes every entry and frees the arrays. */
    void clear() {
        long stamp = lock.writeLock();
        try {
            hashes = new int[0];
            keyAt = new int[0];
            locations = new long[0];
            arena = new byte[0];
            arenaEnd = 0;
            garbage = 0;
            size = 0;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** @return bytes of heap this shard's arrays take (for tests of the footprint) */
    long heapBytes() {
        long stamp = lock.readLock();
        try {
            return 16L * 4 + 4L * hashes.length + 4L * keyAt.length + 8L * locations.length + arena.length;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static int writeVarint(byte[] b, int p, int v) {
        while ((v & ~0x7f) != 0) {
            b[p++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    /** @return the varint at {@code p}, or -1 if it runs past the array or is too long (a torn view) */
    private static int readVarint(byte[] b, int p) {
        int v = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            if (p < 0 || p >= b.length) {
                return -1;
            }
            int x = b[p++];
            v |= (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        return -1;
    }
}
