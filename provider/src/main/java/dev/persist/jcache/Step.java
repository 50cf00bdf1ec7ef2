package dev.persist.jcache;

/**
 * What an operation decides to do with a key, given its live entry: keep it, put a value, or remove it. Decided
 * under the key's lock by an operation's {@link Mutations.Rule}; {@link Mutations} carries it out with the writer
 * call, the expiry time and the log record.
 *
 * @param <V> value type
 */
sealed interface Step<V> {
    /**
     * Leaves the entry as it is.
     *
     * @param touch        whether the live entry was read (access expiry applies)
     * @param dropExpired  whether an expired entry met is deleted now (else it is left for the memory's expiry)
     */
    record Keep<V>(boolean touch, boolean dropExpired) implements Step<V> {
    }

    /**
     * Creates or updates the entry.
     *
     * @param value      the new value
     * @param heldValue  its held form (see {@link Form})
     * @param callWriter whether the cache's writer is told (false for loaded values)
     */
    record Put<V>(V value, Object heldValue, boolean callWriter) implements Step<V> {
    }

    /**
     * Removes the live entry; the writer is told even if there is none.
     *
     * @param callWriter  whether the cache's writer is told
     * @param dropExpired whether an expired entry met is deleted too
     */
    record Remove<V>(boolean callWriter, boolean dropExpired) implements Step<V> {
    }

    @SuppressWarnings("rawtypes")
    Keep KEEP = new Keep<>(false, false);
    @SuppressWarnings("rawtypes")
    Keep READ = new Keep<>(true, false);

    /** @return a step that leaves the entry alone */
    @SuppressWarnings("unchecked")
    static <V> Step<V> keep() {
        return KEEP;
    }

    /** @return a step that leaves the entry alone but counts as a read of it (access expiry) */
    @SuppressWarnings("unchecked")
    static <V> Step<V> read() {
        return READ;
    }
}
