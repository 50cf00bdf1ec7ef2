package dev.persist.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped per-key locks: the atomic section of each mutation (memory change, then log position). Striping keeps
 * the memory cost fixed; two keys that share a stripe only wait for each other's memory update and buffer copy,
 * never for I/O, which happens after the lock is released. Reentrant, so an update function may touch other keys
 * of the same map.
 */
final class KeyLocks {
    private final ReentrantLock[] stripes;
    private final int mask;

    KeyLocks(int stripes) {
        int n = Integer.highestOneBit(Math.max(1, stripes - 1)) << 1;
        this.stripes = new ReentrantLock[n];
        for (int i = 0; i < n; i++) {
            this.stripes[i] = new ReentrantLock();
        }
        this.mask = n - 1;
    }

    ReentrantLock lockFor(Object key) {
        int h = key.hashCode();
        h ^= (h >>> 16);
        h *= 0x45d9f3b;
        h ^= (h >>> 16);
        return stripes[h & mask];
    }
}
