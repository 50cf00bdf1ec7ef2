package dev.persist.jcache.config;

import dev.persist.store.Durability;

import java.util.Objects;

/**
 * The durability tier of each kind of cache operation.
 *
 * @param put    put, putAll, putIfAbsent, replace, getAndPut, getAndReplace
 * @param remove remove, removeAll, clear, getAndRemove, and the removal of entries found expired
 * @param invoke invoke and invokeAll (one atomic store update per key)
 * @param load   values brought in by read-through or loadAll
 */
public record OperationTiers(Durability put, Durability remove, Durability invoke, Durability load) {
    /** Checks that no tier is null. */
    public OperationTiers {
        Objects.requireNonNull(put, "put");
        Objects.requireNonNull(remove, "remove");
        Objects.requireNonNull(invoke, "invoke");
        Objects.requireNonNull(load, "load");
    }

    /** @return every kind at {@code tier} */
    public static OperationTiers all(Durability tier) {
        return new OperationTiers(tier, tier, tier, tier);
    }
}
