package dev.persist.jcache;

/**
 * What one operation did to one key, decided under the key's lock: the semantics every operation states, and the
 * only input of {@link Completion}, which fires its events and counts its statistics.
 *
 * @param kind    created, updated, removed or unchanged
 * @param old     the live entry before the operation, or null (a hit is {@code old != null})
 * @param expired the expired entry the operation met, or null
 * @param value   the new value (application form) of a created or updated entry, else null
 * @param <V>     value type
 */
record Change<V>(Kind kind, Stored old, Stored expired, V value) {
    /** The net effect on the key. */
    enum Kind { CREATED, UPDATED, REMOVED, UNCHANGED }

    /** @return whether a live entry was there before */
    boolean hit() {
        return old != null;
    }

    /** @return whether a value was stored (created or updated) */
    boolean stored() {
        return kind == Kind.CREATED || kind == Kind.UPDATED;
    }

    /** @return whether a live entry was removed */
    boolean removed() {
        return kind == Kind.REMOVED;
    }
}
