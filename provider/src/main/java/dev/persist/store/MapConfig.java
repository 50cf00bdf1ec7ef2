package dev.persist.store;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * How to register a {@link PersistMap}: its namespace, codecs, default tier and the in-memory map that holds its
 * entries. Immutable; each setter returns a copy.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class MapConfig<K, V> {
    private final String name;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final Durability durability;
    private final Durability evictions;
    private final MapMemory<K, V> memory;
    /** The bound of a disk-backed map's live records in bytes, or 0 if the map is held in memory. */
    private final long diskBytes;
    private final Consumer<K> diskEvictions;

    private MapConfig(String name, Codec<K> keyCodec, Codec<V> valueCodec, Durability durability,
                      Durability evictions, MapMemory<K, V> memory, long diskBytes, Consumer<K> diskEvictions) {
        this.diskBytes = diskBytes;
        this.diskEvictions = diskEvictions;
        this.name = name;
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
        this.durability = durability;
        this.evictions = evictions;
        this.memory = memory;
    }

    /**
     * @param name       the namespace: non-empty, no {@code ':'}, at most 255 UTF-8 bytes
     * @param keyCodec   writes keys
     * @param valueCodec writes values
     * @param <K>        key type
     * @param <V>        value type
     * @return a config with default tier {@link Durability#WRITE} and a {@link ConcurrentHashMap} in memory
     */
    public static <K, V> MapConfig<K, V> of(String name, Codec<K> keyCodec, Codec<V> valueCodec) {
        return new MapConfig<>(Namespaces.validate(name), Objects.requireNonNull(keyCodec, "keyCodec"),
                Objects.requireNonNull(valueCodec, "valueCodec"), Durability.WRITE, null, null, 0, k -> { });
    }

    /**
     * @param tier the tier of calls that name none
     * @return a copy with this setting
     */
    public MapConfig<K, V> durability(Durability tier) {
        return new MapConfig<>(name, keyCodec, valueCodec, Objects.requireNonNull(tier, "tier"), evictions, memory,
                diskBytes, diskEvictions);
    }

    /**
     * @param tier the tier of the delete the store logs for an entry the memory dropped on its own (see
     *             {@link MapMemory#onEviction}); {@link Durability#MEMORY} logs none. Default: the map's tier.
     * @return a copy with this setting
     */
    public MapConfig<K, V> evictions(Durability tier) {
        return new MapConfig<>(name, keyCodec, valueCodec, durability, Objects.requireNonNull(tier, "tier"), memory,
                diskBytes, diskEvictions);
    }

    /**
     * @param map the one in-memory copy of the entries (a Caffeine cache's {@code asMap()}, say): the store reads
     *            and changes it only inside its per-key lock, and a bounded map may drop entries on its own. It
     *            must be empty; it is filled from the log.
     * @return a copy with this setting
     */
    public MapConfig<K, V> memory(ConcurrentMap<K, V> map) {
        return memory(MapMemory.unbounded(Objects.requireNonNull(map, "map")));
    }

    /**
     * @param memory the one in-memory copy of the entries, with its eviction hook (see {@link MapMemory}); empty
     * @return a copy with this setting
     */
    public MapConfig<K, V> memory(MapMemory<K, V> memory) {
        return new MapConfig<>(name, keyCodec, valueCodec, durability, evictions,
                Objects.requireNonNull(memory, "memory"), diskBytes, diskEvictions);
    }

    /**
     * Makes the map disk-backed: the store is the authority for its entries, and the memory (see
     * {@link #memory(MapMemory)}) only a bounded front of recently used values. The store keeps an index of where each
     * key's record is in the log (about 86 bytes of heap plus the key's bytes per key) instead of the value; a read
     * that misses the memory reads the record back, checks its checksum and puts the value in the memory from the
     * key's second such read within a recent window on (a key read back once is not kept). An entry the
     * memory drops on its own stays in the store (no delete is logged). When the live records of the map exceed
     * {@code maxBytes}, the oldest records (by their place in the log: the least recently written keys) are deleted
     * in the background, about a tenth of the bound at a time, each reported to {@link #onDiskEviction}.
     *
     * <p>A disk-backed map has no MEMORY tier: a change at MEMORY is written at ASYNC, since a value only in memory
     * would be lost when the memory drops it.
     *
     * @param maxBytes the most bytes of live records; positive
     * @return a copy with this setting
     */
    public MapConfig<K, V> disk(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("disk bound of '" + name + "' must be positive, got " + maxBytes);
        }
        return new MapConfig<>(name, keyCodec, valueCodec, durability, evictions, memory, maxBytes, diskEvictions);
    }

    /**
     * @param listener told of each key a disk-backed map deleted to stay within its bound (on the store's eviction
     *                 thread, after the delete is logged)
     * @return a copy with this setting
     */
    public MapConfig<K, V> onDiskEviction(Consumer<K> listener) {
        return new MapConfig<>(name, keyCodec, valueCodec, durability, evictions, memory, diskBytes,
                Objects.requireNonNull(listener, "listener"));
    }

    /** @return the disk bound in bytes, or 0 for a map held in memory */
    long diskBytes() {
        return diskBytes;
    }

    Consumer<K> diskEvictions() {
        return diskEvictions;
    }

    String name() {
        return name;
    }

    Codec<K> keyCodec() {
        return keyCodec;
    }

    Codec<V> valueCodec() {
        return valueCodec;
    }

    Durability durability() {
        return durability;
    }

    Durability evictionDurability() {
        return evictions != null ? evictions : durability;
    }

    MapMemory<K, V> newMemory() {
        return memory != null ? memory : MapMemory.unbounded(new ConcurrentHashMap<>());
    }
}
