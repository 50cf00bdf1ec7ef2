package dev.persist.jcache.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The persistence settings of one cache, from the configuration file or the defaults.
 *
 * @param tiers             durability per operation kind
 * @param maximumSize       the most entries kept (Caffeine size eviction), or null for unbounded
 * @param maximumWeight     the most bytes of stored values kept (Caffeine weight eviction), or null; not with
 *                          maximumSize
 * @param expiryAfterWrite  entries expire this long after creation or update, or null (configured caches only)
 * @param keyType           the key class of a configured cache, or null for Object
 * @param valueType         the value class of a configured cache, or null for Object
 * @param codec             {@code json}, {@code serializable}, the name of a {@link dev.persist.store.Codec} class,
 *                          or null to choose by type (UTF-8 for String, else Java serialization)
 * @param configured        whether the cache is named in the configuration file (then it is created when the
 *                          manager opens)
 */
public record CacheSettings(OperationTiers tiers, Long maximumSize, Long maximumWeight, Duration expiryAfterWrite, Class<?> keyType,
                            Class<?> valueType, String codec, boolean configured) {
    /** Checks that tiers are set. */
    public CacheSettings {
        Objects.requireNonNull(tiers, "tiers");
    }

    /** @return the settings of a cache created in code: every operation at {@code tier}, nothing else set */
    public static CacheSettings defaults(OperationTiers tiers) {
        return new CacheSettings(tiers, null, null, null, null, null, null, false);
    }
}
