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
     * @param callWriter whether the cache's writer is told now, key by key (false for loaded values, and for bulk
     *                   operations, which tell it once for the batch)
     * @param owed       whether the system of record must hear of it at all (false for loaded values): a
     *                   write-behind writer records the key as owed (see {@link dev.persist.jcache.integration.Writer#owe})
     */
    record Put<V>(V value, Object heldValue, boolean callWriter, boolean owed) implements Step<V> {
        /** A put the writer is told of key by key, or (loads) not at all. */
        Put(V value, Object heldValue, boolean callWriter) {
            this(value, heldValue, callWriter, callWriter);
        }
    }

    /**
     * Removes the live entry; the writer is told even if there is none.
     *
     * @param callWriter  whether the cache's writer is told now, key by key (false in bulk operations)
     * @param dropExpired whether an expired entry met is deleted too
     * @param owed        whether the system of record must hear of it (see {@link Put#owed})
     */
    record Remove<V>(boolean callWriter, boolean dropExpired, boolean owed) implements Step<V> {
        /** A removal the writer is told of key by key, or not at all. */
        Remove(boolean callWriter, boolean dropExpired) {
            this(callWriter, dropExpired, callWriter);
        }
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
