package dev.persist.jcache;

import dev.persist.jcache.cluster.AppliedOffset;
import dev.persist.jcache.cluster.Cluster;
import dev.persist.jcache.cluster.ClusterMember;
import dev.persist.jcache.cluster.Incoming;
import dev.persist.jcache.cluster.Publisher;
import dev.persist.jcache.cluster.PublishingWriter;
import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.ClusterMode;
import dev.persist.jcache.config.ClusterSettings;
import dev.persist.jcache.integration.Writer;
import dev.persist.store.Durability;
import dev.persist.store.MapConfig;
import dev.persist.store.PersistMap;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One cache's part in the cluster (docs/cluster.md): its publisher (changes owed to the topic, in the log), its
 * writer that owes them, and the applying side: each change of the topic for this cache is applied in the key's
 * atomic section together with the record of its offset ({@link AppliedOffset}, companion namespace
 * {@link CacheNamespaces#clusterAppliedNamespaceOf}).
 *
 * <p>Applying, per mode:
 * <ul>
 *   <li>{@code replicate}: the topic's value is stored (or the key removed), with the origin's expiry time; a
 *       value equal to the one held changes nothing. Listeners see CREATED, UPDATED or REMOVED as for a local
 *       change; statistics do not count it (they count this node's operations).</li>
 *   <li>{@code invalidate}: the key's copy is removed, silently, as an eviction is (no event): the value did not
 *       change on this node, it left it.</li>
 *   <li>A change this node published itself: in {@code invalidate}, nothing (its copy is the new value); in
 *       {@code replicate}, nothing if this node owes a newer change of the key (it follows in the topic), else it
 *       is applied as any other (normally equal to what it holds: nothing happens). Every node thus ends with the
 *       topic's last change of each key.</li>
 * </ul>
 *
 * @param <K> key type
 * @param <V> value type
 */
final class CacheClustering<K, V> implements ClusterMember {
    private static final System.Logger LOG = System.getLogger(CacheClustering.class.getName());

    private final String name;
    private final Cluster cluster;
    private final ClusterMode mode;
    private final Publisher publisher;
    private final PersistMap<Object, AppliedOffset> applied;
    private final PublishingWriter<K, V> writer;
    private final CacheAssembly<K, V> parts;
    private final Durability tier;
    private final Clock clock;
    private Completion<K, V> completion;

    private CacheClustering(String name, Cluster cluster, ClusterMode mode, ClusterSettings settings,
                            CacheSettings cache, CacheAssembly<K, V> parts, Clock clock) {
        this.name = name;
        this.cluster = cluster;
        this.mode = mode;
        this.parts = parts;
        this.clock = clock;
        // changes read from the topic are applied at ASYNC: the change and its offset are logged in one pending change
        // of the key, so a crash loses both or neither, and what it loses is read from the topic again. A MEMORY
        // cache keeps no offsets either, and catches up from the beginning
        this.tier = parts.tiers.put() == Durability.MEMORY ? Durability.MEMORY : Durability.ASYNC;
        this.publisher = new Publisher(name, cluster, mode, parts.map,
                CacheNamespaces.clusterOutboxNamespaceOf(name), parts.keyCodec, parts.storedCodec);
        try {
            this.applied = parts.map.store().map(MapConfig.of(CacheNamespaces.clusterAppliedNamespaceOf(name),
                    parts.keyCodec, AppliedOffset.CODEC).durability(parts.map.defaultDurability()));
        } catch (RuntimeException e) {
            publisher.outbox().close();
            throw e;
        }
        this.writer = new PublishingWriter<>(parts.writer, publisher,
                cache.replicated() ? settings.replicatedTimeout() : null);
    }

    /**
     * @return the cache's clustering, or null if the manager is not clustered, the cache's mode is off, or the cache
     *         keeps no namespace of its own in the store (memory-only because another manager holds it)
     */
    static <K, V> CacheClustering<K, V> of(Cluster cluster, ClusterSettings settings, String name,
                                           CacheSettings cache, CacheAssembly<K, V> parts, Clock clock) {
        if (cluster == null || settings == null) {
            return null;
        }
        ClusterMode mode = settings.modeOf(cache);
        if (mode == ClusterMode.OFF) {
            return null;
        }
        if (parts.behind != null) {
            throw new javax.cache.CacheException(CacheSettings.pathOf(name) + ".cluster: a cache with writeBehind "
                    + "cannot be clustered; set cluster: off for it");
        }
        return new CacheClustering<>(name, cluster, mode, settings, cache, parts, clock);
    }

    /** @return the writer the cache's operations call: its own, and what it owes the topic */
    Writer<K, V> writer() {
        return writer;
    }

    /**
     * Starts publishing and applying; returns once the cache caught up with the topic.
     *
     * @param completion the cache's completion, which fires the events of replicated changes
     */
    void start(Completion<K, V> completion) {
        this.completion = completion;
        publisher.start();
        cluster.join(this);
    }

    /** Stops applying, then publishes what is owed for a bounded time. */
    void finish() {
        cluster.leave(this);
        publisher.finish(Duration.ofSeconds(10));
    }

    /** @return the companion namespaces, released and closed with the cache's */
    List<PersistMap<?, ?>> namespaces() {
        return List.of(publisher.outbox(), applied);
    }

    /** @return keys whose latest change Kafka has not acknowledged yet */
    int pendingCount() {
        return publisher.pendingCount();
    }

    @Override
    public String cacheName() {
        return name;
    }

    @Override
    public Map<Integer, Long> appliedOffsets() {
        Map<Integer, Long> next = new HashMap<>();
        applied.forEach((k, a) -> next.merge(a.partition(), a.offset() + 1, Math::max));
        return next;
    }

    @Override
    public void apply(Incoming in) {
        Object held = parts.keyCodec.decode(in.key());
        @SuppressWarnings("unchecked")
        Change<V>[] change = new Change[1];
        parts.map.update(held, u -> {
            change[0] = decide(held, in, u.value() == null ? null : parts.map.settled(held, u.value()), u);
            u.setIn(applied, new AppliedOffset(in.partition(), in.offset()));
        }, tier);
        if (change[0] != null && change[0].kind() != Change.Kind.UNCHANGED && mode == ClusterMode.REPLICATE) {
            completion.complete(parts.keys.out(held), change[0], Completion.Counted.NOTHING, 0);
        }
    }

    /** The change to apply, decided in the key's atomic section; null if none. */
    private Change<V> decide(Object held, Incoming in, Stored found, dev.persist.store.Update<Stored> u) {
        long now = clock.millis();
        Stored live = found != null && !found.expiredAt(now) ? found : null;
        if (in.own() && (mode == ClusterMode.INVALIDATE || publisher.owesNewerThan(held, in.seq()))) {
            return null; // this node's copy is as new as the topic's, or a newer change of its own follows
        }
        if (mode == ClusterMode.INVALIDATE || in.value() == null || in.value().length == 0) {
            if (u.exists()) {
                u.delete();
            }
            return live != null ? new Change<>(Change.Kind.REMOVED, live, null, null) : null;
        }
        if (live != null && Arrays.equals(parts.storedCodec.encode(live), in.value())) {
            return null; // already holds it (its own change, or one applied before a restart)
        }
        Stored incoming;
        V value;
        try {
            incoming = parts.storedCodec.settle(parts.storedCodec.decode(in.value()));
            value = parts.values.out(incoming.payload);
        } catch (RuntimeException e) {
            // a value this node cannot read (a class that differs between nodes): drop its copy rather than keep an
            // older value, and say so
            LOG.log(System.Logger.Level.WARNING, "cache ''{0}'': a replicated value of key {1} does not decode on "
                    + "this node ({2}); the key is removed here instead", name, held, e.toString());
            if (u.exists()) {
                u.delete();
            }
            return live != null ? new Change<>(Change.Kind.REMOVED, live, null, null) : null;
        }
        if (incoming.expiredAt(now)) {
            if (u.exists()) {
                u.delete();
            }
            return live != null ? new Change<>(Change.Kind.REMOVED, live, null, null) : null;
        }
        u.set(incoming);
        return new Change<>(live == null ? Change.Kind.CREATED : Change.Kind.UPDATED, live, null, value);
    }

    @Override
    public void rebuild() {
        List<Object> keys = new ArrayList<>();
        parts.map.forEach((k, v) -> keys.add(k));
        applied.forEach((k, v) -> keys.add(k));
        for (Object held : keys) {
            parts.map.update(held, u -> {
                if (u.exists()) {
                    u.delete();
                }
                if (applied.get(held) != null) {
                    u.deleteIn(applied);
                }
            }, tier == Durability.MEMORY ? Durability.MEMORY : Durability.WRITE);
        }
    }
}
