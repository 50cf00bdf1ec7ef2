package dev.persist.jcache.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The persistence settings of one cache, from the configuration file or the defaults.
 *
 * @param tiers             durability per operation kind
 * @param maximumSize       the most entries kept in memory (Caffeine size eviction), or null for unbounded: the
 *                          bound of the cache, or with {@code diskBytes} of its memory front
 * @param maximumWeight     the most bytes of stored values kept in memory (Caffeine weight eviction), or null; not
 *                          with maximumSize
 * @param expiryAfterWrite  entries expire this long after creation or update, or null (configured caches only)
 * @param keyType           the key class of a configured cache, or null for Object
 * @param valueType         the value class of a configured cache, or null for Object
 * @param codec             {@code json}, {@code serializable}, the name of a {@link dev.persist.store.Codec} class,
 *                          or null to choose by type (UTF-8 for String, else Java serialization)
 * @param serialAllow       class patterns Java serialization may read and write beyond its defaults: those of
 *                          {@code defaults.serialization.allow}, then the cache's own
 * @param configured        whether the cache is named in the configuration file (then it is created when the
 *                          manager opens)
 * @param onUnencodable     what a put of a value the codec cannot write does ({@code onUnencodable})
 * @param statistics        whether JCache statistics (and their MXBean) are on from the start, whatever the
 *                          cache's JCache configuration says ({@code statistics})
 * @param integration       its writer, loader and write-behind from the file ({@link IntegrationSettings#NONE}
 *                          if none)
 * @param diskBytes         {@code disk.maximumBytes}: the store is the authority for the cache's entries, memory
 *                          only a front, and the cache's live records on disk are bounded by this many bytes; null
 *                          for a cache held in memory
 * @param clusterMode       its own {@code cluster} mode, or null: the top-level {@code cluster.mode} (when the
 *                          store is clustered; see {@link ClusterSettings})
 * @param replicated        whether its durability is {@code replicated}: puts, removes and invokes are written at
 *                          WRITE and return once Kafka acknowledged them (docs/cluster.md)
 */
public record CacheSettings(OperationTiers tiers, Long maximumSize, Long maximumWeight, Duration expiryAfterWrite, Class<?> keyType,
                            Class<?> valueType, String codec, List<String> serialAllow, boolean configured,
                            OnUnencodable onUnencodable, boolean statistics, IntegrationSettings integration,
                            Long diskBytes, ClusterMode clusterMode, boolean replicated) {
    /** The memory front of a cache with {@code disk} and no {@code memory} bound: this many entries. */
    public static final long DEFAULT_FRONT_SIZE = 10_000;

    /** Checks that tiers, onUnencodable and integration are set; copies the allow list. */
    public CacheSettings {
        Objects.requireNonNull(tiers, "tiers");
        Objects.requireNonNull(onUnencodable, "onUnencodable");
        Objects.requireNonNull(integration, "integration");
        serialAllow = List.copyOf(serialAllow);
    }

    /** Settings without a writer, loader or write-behind of the file's. */
    public CacheSettings(OperationTiers tiers, Long maximumSize, Long maximumWeight, Duration expiryAfterWrite,
                         Class<?> keyType, Class<?> valueType, String codec, List<String> serialAllow,
                         boolean configured, OnUnencodable onUnencodable, boolean statistics) {
        this(tiers, maximumSize, maximumWeight, expiryAfterWrite, keyType, valueType, codec, serialAllow, configured,
                onUnencodable, statistics, IntegrationSettings.NONE, null, null, false);
    }

    /** Settings of a cache held in memory (no {@code disk}) that follows the store's cluster mode, if any. */
    public CacheSettings(OperationTiers tiers, Long maximumSize, Long maximumWeight, Duration expiryAfterWrite,
                         Class<?> keyType, Class<?> valueType, String codec, List<String> serialAllow,
                         boolean configured, OnUnencodable onUnencodable, boolean statistics,
                         IntegrationSettings integration) {
        this(tiers, maximumSize, maximumWeight, expiryAfterWrite, keyType, valueType, codec, serialAllow, configured,
                onUnencodable, statistics, integration, null, null, false);
    }

    /**
     * @param isReplicated whether the cache's durability is {@code replicated}
     * @return these settings with {@link #replicated} set so
     */
    public CacheSettings withReplicated(boolean isReplicated) {
        return new CacheSettings(tiers, maximumSize, maximumWeight, expiryAfterWrite, keyType, valueType, codec,
                serialAllow, configured, onUnencodable, statistics, integration, diskBytes, clusterMode, isReplicated);
    }

    /** @return whether the cache is disk-backed ({@code disk}) */
    public boolean diskBacked() {
        return diskBytes != null;
    }

    /**
     * @param tiers         the tiers of {@code defaults.durability}
     * @param serialAllow   {@code defaults.serialization.allow}
     * @param onUnencodable {@code defaults.onUnencodable}
     * @param statistics    {@code defaults.statistics}
     * @return the settings of a cache created in code: every operation at {@code tiers}, serialization allowing
     *         {@code serialAllow} beyond its defaults, the defaults' {@code onUnencodable} and {@code statistics},
     *         nothing else set
     */
    public static CacheSettings defaults(OperationTiers tiers, List<String> serialAllow, OnUnencodable onUnencodable,
                                         boolean statistics) {
        return defaults(tiers, serialAllow, onUnencodable, statistics, CacheBounds.NONE);
    }

    /**
     * As {@link #defaults(OperationTiers, List, OnUnencodable, boolean)}, with the bounds of {@code defaults.memory}
     * and {@code defaults.disk}.
     *
     * @param tiers         the tiers of {@code defaults.durability}
     * @param serialAllow   {@code defaults.serialization.allow}
     * @param onUnencodable {@code defaults.onUnencodable}
     * @param statistics    {@code defaults.statistics}
     * @param bounds        {@code defaults.memory} and {@code defaults.disk}
     * @return the settings of a cache created in code
     */
    public static CacheSettings defaults(OperationTiers tiers, List<String> serialAllow, OnUnencodable onUnencodable,
                                         boolean statistics, CacheBounds bounds) {
        return new CacheSettings(tiers, bounds.maximumSize(), bounds.maximumWeight(), null, null, null, null,
                serialAllow, false, onUnencodable, statistics, IntegrationSettings.NONE, bounds.diskBytes(), null,
                false);
    }

    /**
     * The path of a cache's settings as the configuration's keys name it: {@code caches.users}, or
     * {@code caches[com.example.Book]} for a name holding dots (as a {@code Properties} override must write it, and
     * unambiguous for a file too). Messages use it, so that what they say is what the user can write.
     *
     * @param cacheName the cache's name
     * @return the path of its settings
     */
    public static String pathOf(String cacheName) {
        return cacheName.indexOf('.') >= 0 ? "caches[" + cacheName + "]" : "caches." + cacheName;
    }
}
