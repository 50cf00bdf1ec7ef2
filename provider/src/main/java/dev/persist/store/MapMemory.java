package dev.persist.store;

import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;

/**
 * The in-memory side of a {@link PersistMap}: the one copy of its entries, which the store reads and changes only
 * inside its per-key lock. A bounded implementation (a Caffeine cache, say) may drop entries on its own; it then
 * tells the store through the listener the store subscribes with {@link #onEviction}, and the store logs a delete
 * for each such key, so that an entry that left memory does not come back from the log after a restart.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface MapMemory<K, V> {
    /**
     * @return the entries: empty when the map registers (the store fills it from the log)
     */
    ConcurrentMap<K, V> asMap();

    /**
     * A read of the map's users ({@link PersistMap#get}), as opposed to the store's own looks at memory: a bounded
     * memory may let such reads inform what it keeps, or only some of them.
     *
     * @param key the key
     * @return its value, or null
     */
    default V read(K key) {
        return asMap().get(key);
    }

    /**
     * Called once by the store when the map registers. The memory calls {@code listener} for every entry it drops on
     * its own (a size bound, an expiry), from any thread and possibly inside its own atomic section: the store only
     * queues the key there and does the log work on a thread of its own.
     *
     * @param listener gets the dropped key and value
     */
    default void onEviction(BiConsumer<K, V> listener) {
        // memory that never drops entries on its own has nothing to tell
    }

    /**
     * Memory that never drops an entry on its own.
     *
     * @param map the entries, empty
     * @param <K> key type
     * @param <V> value type
     * @return the map as {@code MapMemory}
     */
    static <K, V> MapMemory<K, V> unbounded(ConcurrentMap<K, V> map) {
        return () -> map;
    }
}
