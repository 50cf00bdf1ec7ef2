package dev.persist.jcache;

import dev.persist.jcache.expiry.ExpiryTimes;
import dev.persist.jcache.integration.Writer;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.StoreException;
import dev.persist.store.Update;

import javax.cache.CacheException;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one mutation path of a cache: every operation that changes a key states a {@link Rule} (what to do given the
 * key's live entry), and this runs it in the store's atomic section for the key ({@link PersistMap#update}), which
 * also covers the writer call, so the writer, memory and the log change together or not at all. It settles the
 * entry found, sets expiry times, and returns what happened as a {@link Change}.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class Mutations<K, V> {
    /** An operation's decision for one key. */
    @FunctionalInterface
    interface Rule<V> {
        /**
         * @param live the key's live entry (settled), or null if absent or expired
         * @return what to do
         */
        Step<V> decide(Stored live);
    }

    private final String cacheName;
    private final PersistMap<Object, Stored> map;
    private final Writer<K, V> writer;
    private final ExpiryTimes expiry;
    private final Clock clock;

    Mutations(String cacheName, PersistMap<Object, Stored> map, Writer<K, V> writer, ExpiryTimes expiry,
              Clock clock) {
        this.cacheName = cacheName;
        this.map = map;
        this.writer = writer;
        this.expiry = expiry;
        this.clock = clock;
    }

    /**
     * Runs {@code rule} for {@code key} atomically and makes the change as durable as {@code tier} says.
     *
     * @param key  the key as the application gave it (for the writer)
     * @param held the key as held
     * @param tier the tier of the change
     * @param rule the operation's decision
     * @return what happened
     * @throws CacheException if the store failed (disk full, I/O error)
     */
    Change<V> apply(K key, Object held, Durability tier, Rule<V> rule) {
        return apply(key, held, tier, rule, true);
    }

    /**
     * {@link #apply} for a change whose outcome and report do not look at the value it replaces: a put or a remove
     * with no listener registered and no old value returned. The entry found is taken as stored, not decoded: for a
     * key beyond a cache's memory front (a {@code disk} cache) or read back at restart, that saves a deserialization
     * per write. What changes: an old value that no longer decodes counts as an entry (the put is an update, the
     * remove removes it) instead of being dropped as absent first; the change overwrites or deletes it either way.
     */
    Change<V> applyBlind(K key, Object held, Durability tier, Rule<V> rule) {
        return apply(key, held, tier, rule, false);
    }

    private Change<V> apply(K key, Object held, Durability tier, Rule<V> rule, boolean decodeOld) {
        Change<V> change;
        try {
            change = guarded(() -> applyToStore(key, held, tier, rule, decodeOld));
        } catch (RuntimeException | Error e) {
            writer.forgetOwed(); // the section may have owed before it threw: nothing is left to wait for
            throw e;
        }
        writer.awaitOwed(); // outside the key's lock: what it waits for takes the lock
        return change;
    }

    /**
     * Runs a store call; a failure of the store (disk full, I/O error) reaches the caller as JSR-107 says a failed
     * operation does: a {@link CacheException}, with the store's exception as its cause.
     */
    <T> T guarded(Supplier<T> storeCall) {
        try {
            return storeCall.get();
        } catch (StoreException e) {
            throw new CacheException("cache '" + cacheName + "': " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private Change<V> applyToStore(K key, Object held, Durability tier, Rule<V> rule, boolean decodeOld) {
        Object[] result = new Object[2];
        Consumer<Update<Stored>> updater = u -> {
            long now = clock.millis();
            Stored found = decodeOld ? map.settled(held, u.value()) : u.value();
            Stored expired = found != null && found.expiredAt(now) ? found : null;
            Stored live = expired == null ? found : null;
            Step<V> step = rule.decide(live);
            result[0] = carryOut(key, held, step, live, expired, now, u);
            result[1] = step;
        };
        if (decodeOld) {
            map.update(held, updater, tier);
        } else {
            map.updateBlind(held, updater, tier);
        }
        Change<V> change = (Change<V>) result[0];
        if (result[1] instanceof Step.Keep<?> keep && keep.touch() && change.old() != null) {
            touch(held, change.old());
        }
        return change;
    }

    private Change<V> carryOut(K key, Object held, Step<V> step, Stored live, Stored expired, long now,
                               Update<Stored> u) {
        if (step instanceof Step.Put<V> put) {
            if (put.callWriter()) {
                writer.write(key, put.value());
            }
            if (put.heldValue() == UnencodableValues.SKIPPED) {
                // onUnencodable: skip. The value cannot be held, and the one cached is no longer the system of
                // record's: the key is left with no entry, as if the put had happened and been evicted at once
                if (live != null) {
                    u.delete();
                    return new Change<>(Change.Kind.REMOVED, live, null, null);
                }
                if (expired != null) {
                    u.delete();
                }
                return new Change<>(Change.Kind.UNCHANGED, null, expired, null);
            }
            if (live == null) {
                long at = expiry.onCreation(now);
                Stored created = new Stored(put.heldValue(), at);
                if (put.owed()) {
                    // even one created already expired: the writer hears of every put (expiry is not a delete)
                    writer.owe(held, created, u);
                }
                if (at <= now) { // created already expired: nothing to keep
                    if (u.exists()) {
                        u.delete();
                    }
                    return new Change<>(Change.Kind.UNCHANGED, null, expired, null);
                }
                u.set(created);
                return new Change<>(Change.Kind.CREATED, null, expired, put.value());
            }
            Stored updated = new Stored(put.heldValue(), expiry.onUpdate(now, live.expiresAt));
            if (put.owed()) {
                writer.owe(held, updated, u);
            }
            u.set(updated);
            return new Change<>(Change.Kind.UPDATED, live, expired, put.value());
        }
        if (step instanceof Step.Remove<V> remove) {
            if (remove.callWriter()) {
                writer.delete(key);
            }
            if (remove.owed()) {
                // also for a key the cache does not hold: the system of record may hold it
                writer.owe(held, null, u);
            }
            if (live != null) {
                u.delete();
                return new Change<>(Change.Kind.REMOVED, live, null, null);
            }
            if (expired != null && remove.dropExpired()) {
                u.delete();
            }
            return new Change<>(Change.Kind.UNCHANGED, null, expired, null);
        }
        Step.Keep<V> keep = (Step.Keep<V>) step;
        if (live == null && expired != null && keep.dropExpired()) {
            u.delete();
        }
        return new Change<>(Change.Kind.UNCHANGED, live, expired, null);
    }

    /**
     * Drops an entry found expired outside an atomic section, if it is still the one found.
     *
     * @return whether it was dropped
     */
    boolean expire(Object held, Stored found, Durability tier) {
        boolean[] dropped = new boolean[1];
        guarded(() -> map.update(held, u -> {
            if (u.value() == found || Stored.sameEntry(map.settled(held, u.value()), found)) {
                u.delete();
                dropped[0] = true;
            }
        }, tier));
        return dropped[0];
    }

    /**
     * Applies the access expiry after a read. Only memory changes: writing a record per read would make reads cost
     * writes, and an older expiry time in the log can only make an entry expire sooner after a restart, never later.
     */
    void touch(Object held, Stored found) {
        long at = expiry.onAccess(clock);
        if (at == ExpiryTimes.UNCHANGED) {
            return;
        }
        map.update(held, u -> {
            if (u.value() == found || Stored.sameEntry(map.settled(held, u.value()), found)) {
                u.set(found.withExpiry(at));
            }
        }, Durability.MEMORY);
    }
}
