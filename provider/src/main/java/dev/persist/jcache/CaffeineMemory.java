package dev.persist.jcache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.expiry.ClockTicker;
import dev.persist.jcache.expiry.StoredExpiry;
import dev.persist.store.MapMemory;

import java.time.Clock;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * A cache's in-memory front: the Caffeine cache that holds the one in-memory copy of each entry, as the store's
 * {@link MapMemory}. Size and weight bounds and expiry are Caffeine's. An entry Caffeine drops on its own is
 * reported twice: to the store, which logs its delete, and to the cache, which counts an eviction or fires an EXPIRED
 * event.
 *
 * <p>The front of a cache with {@code disk} is different: the store holds every entry, so an entry Caffeine drops
 * has not left the cache. It is no JCache eviction (not counted, the store logs nothing) and such a front has no
 * expiry of its own: an expired entry is met by a read (in memory or read back from disk) and dropped then, with its
 * EXPIRED event, as in any cache.
 *
 * <p>A front tells Caffeine's policy of one hit in {@value #FRONT_READS_RECORDED} (chosen at random), not of every
 * hit. Each hit Caffeine records moves the entry in its recency lists, a few pointer writes into long-lived list
 * nodes scattered over the old generation; every such write dirties a card the next young collection must scan,
 * and with a front of 100,000 entries read under a skewed load that scan made young pauses several times longer
 * (benchmarks/README.md, disk, "Zipf and the front's reads"). The keys a front is for are read often enough that one
 * recorded hit in a few keeps their frequency and recency ahead of the rest; a key read rarely is the one that loses
 * recorded hits, and it was the one to evict anyway. Caches without {@code disk} record every hit: their bound
 * evicts from the cache itself, so every read counts.
 */
final class CaffeineMemory implements MapMemory<Object, Stored> {
    /** What the cache does when Caffeine drops an entry on its own. */
    interface Observer {
        void evicted(Object heldKey, Stored value);

        void expired(Object heldKey, Stored value);
    }

    /** A front records one hit in this many with Caffeine's policy: a power of two. */
    static final int FRONT_READS_RECORDED = 8;

    private final Cache<Object, Stored> cache;
    private final Policy<Object, Stored> policy;
    private final boolean front;
    private volatile BiConsumer<Object, Stored> store = (k, v) -> { };

    /**
     * @param settings  the cache's bounds
     * @param eternal   whether no entry can expire (no expiry bookkeeping then)
     * @param adopting  how many entries the log holds for this cache (the table is sized for them at once)
     * @param clock     the cache's clock
     * @param observer  told of evictions and expirations
     */
    CaffeineMemory(CacheSettings settings, boolean eternal, long adopting, Clock clock, Observer observer,
                   boolean front) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder();
        if (settings.maximumSize() != null) {
            adopting = Math.min(adopting, settings.maximumSize());
            builder.maximumSize(settings.maximumSize());
        } else if (settings.maximumWeight() != null) {
            // about the size of the stored value: its encoded bytes, twice a string's length (UTF-16), 16 for
            // another object held as it is
            builder.maximumWeight(settings.maximumWeight()).weigher((Object k, Stored v) -> Long.BYTES
                    + (v.payload instanceof byte[] b ? b.length : v.payload instanceof String s ? 2 * s.length() : 16));
        }
        if (adopting > 0) {
            // sized for the entries the log holds: no rehashing on the way to a million entries
            builder.initialCapacity((int) Math.min(adopting, Integer.MAX_VALUE));
        }
        if (!eternal && !front) {
            // Caffeine hides an entry once its expiry time has passed and drops it soon after (its scheduler), so
            // memory is reclaimed even for entries nobody reads again. Not for eternal caches: an unbounded
            // Caffeine cache without expiry is a plain concurrent map, much faster to read.
            builder.expireAfter(new StoredExpiry(clock)).scheduler(Scheduler.systemScheduler());
            if (!clock.equals(Clock.systemUTC()) && !clock.equals(Clock.systemDefaultZone())) {
                builder.ticker(new ClockTicker(clock));
            }
        }
        // an eviction listener, unlike a removal listener, costs nothing on puts and removes
        builder.evictionListener((Object k, Stored v, RemovalCause cause) -> {
            if (k == null || v == null) {
                return;
            }
            store.accept(k, v);
            if (front) {
                return; // the entry is still in the store
            }
            if (cause == RemovalCause.EXPIRED) {
                observer.expired(k, v);
            } else if (cause == RemovalCause.SIZE) {
                observer.evicted(k, v);
            }
        });
        this.cache = builder.build();
        this.policy = cache.policy();
        this.front = front;
    }

    @Override
    public ConcurrentMap<Object, Stored> asMap() {
        return cache.asMap();
    }

    @Override
    public Stored read(Object held) {
        return recordsThisRead() ? cache.getIfPresent(held) : policy.getIfPresentQuietly(held);
    }

    /** @return whether a user's read is told to Caffeine's policy: always, or for a front one in a few */
    boolean recordsThisRead() {
        return !front || (ThreadLocalRandom.current().nextInt() & (FRONT_READS_RECORDED - 1)) == 0;
    }

    @Override
    public void onEviction(BiConsumer<Object, Stored> listener) {
        this.store = listener;
    }

    /** @param held a key as held @return its entry, or null */
    Stored getIfPresent(Object held) {
        return cache.getIfPresent(held);
    }

    /** Lets Caffeine do its pending work now: evictions down to the bound, expirations. */
    void cleanUp() {
        cache.cleanUp();
    }

    /** Drops every entry from memory (not the log), for the garbage collector. */
    void release() {
        cache.invalidateAll();
    }
}
