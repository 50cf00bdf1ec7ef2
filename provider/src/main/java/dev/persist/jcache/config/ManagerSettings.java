package dev.persist.jcache.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a cache manager needs to open its store and its caches: the resolved configuration.
 *
 * @param source            where the settings came from (a file, or "embedded default"), for messages
 * @param storePath         the log file
 * @param syncInterval      the store's background sync period
 * @param segmentBytes      {@code store.segmentBytes}: the size from which the log's last segment file is full
 * @param asyncBacklogBytes {@code store.asyncBacklog}: how many bytes of ASYNC changes may wait in memory for the
 *                          syncer, or 0 for the store's default ({@link dev.persist.store.StoreOptions#asyncBacklogBytes})
 * @param mappedReads       {@code store.mappedReads}: whether disk-resident entries in sealed segments are read
 *                          through mappings ({@link dev.persist.store.StoreOptions#mappedReads(boolean)})
 * @param mappedAppends     {@code store.mappedAppends}: whether records are appended through a mapping of the last
 *                          segment's end ({@link dev.persist.store.StoreOptions#mappedAppends(boolean)})
 * @param autoShrinkInterval how often to check for shrinking, or null for none
 * @param autoShrinkRatio   shrink when log records / live keys exceed it
 * @param defaults          the tiers of caches without their own settings
 * @param serialAllow       {@code defaults.serialization.allow}: class patterns Java serialization may read and
 *                          write in every cache, beyond its defaults
 * @param caches            settings of the caches named in the configuration file, by cache name
 * @param generation        {@code store.generation}: the generation of the data the caches hold (a schema version,
 *                          say), or null for no check; when it differs from the one the log was written with, the
 *                          store's caches are cleared at open
 * @param onUnencodable     {@code defaults.onUnencodable}, for caches created in code
 * @param statistics        {@code defaults.statistics}, for caches created in code
 * @param bounds            {@code defaults.memory} and {@code defaults.disk}, for caches created in code
 * @param replicated        whether {@code defaults.durability} is {@code replicated}, for caches created in code
 *                          (only with {@code cluster})
 * @param cluster           the top-level {@code cluster}: the Kafka topic that keeps this store's caches coherent
 *                          with other nodes', or null for a store of this node alone
 */
public record ManagerSettings(String source, Path storePath, Duration syncInterval, long segmentBytes,
                              long asyncBacklogBytes, boolean mappedReads, boolean mappedAppends,
                              Duration autoShrinkInterval,
                              double autoShrinkRatio, OperationTiers defaults, List<String> serialAllow,
                              Map<String, CacheSettings> caches, String generation, OnUnencodable onUnencodable,
                              boolean statistics, CacheBounds bounds, boolean replicated,
                              ClusterSettings cluster) {
    /** Checks required fields. */
    public ManagerSettings {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(storePath, "storePath");
        Objects.requireNonNull(syncInterval, "syncInterval");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(onUnencodable, "onUnencodable");
        Objects.requireNonNull(bounds, "bounds");
        serialAllow = List.copyOf(serialAllow);
        caches = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(caches)); // file order
    }

    /** @return the settings of cache {@code name}: its own if configured, else the defaults */
    public CacheSettings cache(String name) {
        CacheSettings s = caches.get(name);
        return s != null ? s : CacheSettings.defaults(defaults, serialAllow, onUnencodable, statistics, bounds)
                .withReplicated(replicated);
    }
}
