package dev.persist.jcache.integration;

import dev.persist.jcache.Stored;
import dev.persist.store.Codec;
import dev.persist.store.Durability;
import dev.persist.store.MapConfig;
import dev.persist.store.PersistMap;
import dev.persist.store.Update;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A cache's companion namespace of {@link Owed} records, key to what the key still owes somewhere: its writer
 * ({@link BehindWriter}) or the cluster's topic ({@code dev.persist.jcache.cluster.Publisher}). <b>The log is the
 * queue</b>: a record is set in the key's atomic section by the change itself ({@link #owe}), and deleted there once
 * what it owed was delivered, only if it still carries the sequence number delivered ({@link #ackIfStill}).
 */
public final class OwedRecords {
    private final PersistMap<Object, ?> cacheMap;
    private final PersistMap<Object, Owed> records;
    private final Durability ackTier;
    private final AtomicLong seq;

    /**
     * Registers the companion namespace, adopting what the log holds for it (what a crash kept from being delivered).
     *
     * @param cacheMap    the cache's namespace (the keys' atomic sections)
     * @param namespace   the companion namespace
     * @param keyCodec    the cache's key codec (held keys)
     * @param storedCodec the cache's envelope codec
     * @param seqFloor    the lowest sequence number to continue from; the numbers given by {@link #owe} are above it
     *                    and above every number the log holds (those are never reused: an acknowledgement compares
     *                    them)
     */
    public OwedRecords(PersistMap<Object, ?> cacheMap, String namespace, Codec<Object> keyCodec,
                       Codec<Stored> storedCodec, long seqFloor) {
        this.cacheMap = cacheMap;
        this.records = cacheMap.store().map(MapConfig.of(namespace, keyCodec, new OwedCodec(storedCodec))
                .durability(cacheMap.defaultDurability()));
        // acknowledgements at ASYNC: one lost in a crash only delivers the key again (at least once)
        this.ackTier = cacheMap.store().isOpen() ? Durability.ASYNC : Durability.MEMORY;
        long[] max = {0};
        records.forEach((k, o) -> max[0] = Math.max(max[0], o.seq()));
        this.seq = new AtomicLong(Math.max(max[0], seqFloor));
    }

    /** @return the companion namespace, released and closed with the cache's */
    public PersistMap<Object, Owed> map() {
        return records;
    }

    /**
     * Records, in the key's atomic section, that the key owes its state after this change; a record already there
     * is replaced (coalesced), keeping when the key became owed.
     *
     * @param held  the key as held
     * @param state the key's new state, or null if the change leaves it absent
     * @param u     the key's update
     * @return the record's sequence number
     */
    public long owe(Object held, Stored state, Update<?> u) {
        Owed before = records.get(held);
        long since = before != null ? before.since() : System.currentTimeMillis();
        long s = seq.incrementAndGet();
        u.setIn(records, new Owed(s, since, state));
        return s;
    }

    /**
     * What the key owes, read in its atomic section: a record seen there has taken its place in the log (or, at
     * ASYNC, among the changes the next sync writes). Read outside it, a change could be seen before its record is
     * appended.
     *
     * @param held the key as held
     * @return its record, or null if it owes nothing
     */
    public Owed owedNow(Object held) {
        Object[] seen = new Object[1];
        cacheMap.update(held, u -> seen[0] = records.get(held), ackTier);
        return (Owed) seen[0];
    }

    /**
     * Deletes the key's record, in its atomic section, if it still carries sequence number {@code s}: a key changed
     * since stays owed, its newer state delivered next.
     *
     * @param held the key as held
     * @param s    the sequence number delivered
     * @return whether the record was deleted
     */
    public boolean ackIfStill(Object held, long s) {
        boolean[] removed = new boolean[1];
        cacheMap.update(held, u -> {
            Owed now = records.get(held);
            if (now != null && now.seq() == s) {
                u.deleteIn(records);
                removed[0] = true;
            }
        }, ackTier);
        return removed[0];
    }
}
