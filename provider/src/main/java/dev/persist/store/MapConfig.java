package dev.persist.store;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

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

    private MapConfig(String name, Codec<K> keyCodec, Codec<V> valueCodec, Durability durability,
                      Durability evictions, MapMemory<K, V> memory) {
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
                Objects.requireNonNull(valueCodec, "valueCodec"), Durability.WRITE, null, null);
    }

    /**
     * @param tier the tier of calls that name none
     * @return a copy with this setting
     */
    public MapConfig<K, V> durability(Durability tier) {
        return new MapConfig<>(name, keyCodec, valueCodec, Objects.requireNonNull(tier, "tier"), evictions, memory);
    }

    /**
     * @param tier the tier of the delete the store logs for an entry the memory dropped on its own (see
     *             {@link MapMemory#onEviction}); {@link Durability#MEMORY} logs none. Default: the map's tier.
     * @return a copy with this setting
     */
    public MapConfig<K, V> evictions(Durability tier) {
        return new MapConfig<>(name, keyCodec, valueCodec, durability, Objects.requireNonNull(tier, "tier"), memory);
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
                Objects.requireNonNull(memory, "memory"));
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
