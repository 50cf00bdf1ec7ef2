package dev.persist.jcache;

import dev.persist.jcache.cluster.Cluster;
import dev.persist.jcache.cluster.Clusters;
import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.ConfigResolver;
import dev.persist.jcache.config.ManagerSettings;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import dev.persist.store.StoreException;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.spi.CachingProvider;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A cache manager: one write-ahead-log {@link Store} (shared, reference-counted, with every other manager of this
 * JVM that resolves to the same file), one namespace per cache.
 *
 * <p>Caches named in the configuration file are created when the manager opens, with their entries. Caches
 * created in code come back with their entries when created again under the same name. {@link #destroyCache}
 * deletes a cache's entries from the log; {@link #close} keeps them.
 *
 * <p>Store-by-reference caches hold the application's own objects, which need not be serializable (JSR-107 allows
 * that), so they cannot be logged: they are memory-only, kept in a store that is never opened and written at tier
 * MEMORY. Store-by-value (the JCache default) is what persists.
 *
 * <p>{@link #unwrap} gives the {@link Store} (stats, shrink, fsyncAll).
 */
public final class PersistCacheManager implements CacheManager {
    private static final System.Logger LOG = System.getLogger(PersistCacheManager.class.getName());

    /**
     * The key of a {@link Clock} object in the {@code Properties} given to
     * {@link javax.cache.spi.CachingProvider#getCacheManager(URI, ClassLoader, Properties)}: the clock of the
     * manager's caches (expiry times, Caffeine's expiry). For tests that move time instead of sleeping; default:
     * the system clock.
     */
    public static final String CLOCK_PROPERTY = "persist.jcache.clock";

    /**
     * The key of an {@link java.util.concurrent.Executor} object in the {@code Properties} given to
     * {@code getCacheManager}: where the store runs the passes that settle (decode) the values read back from the
     * log at restart, when this manager opens the store. For tests that hold the pass back; default: one daemon
     * thread of the store.
     */
    public static final String SETTLING_EXECUTOR_PROPERTY = "persist.jcache.settlingExecutor";

    private final PersistCachingProvider provider;
    private final URI uri;
    private final ClassLoader classLoader;
    private final Properties properties;
    private final ManagerSettings settings;
    private final Store store;
    /** Never opened: it holds the memory-only namespaces of store-by-reference caches. */
    private final Store memoryOnly = new Store();
    private final Clock clock;
    private final Map<String, PersistCache<?, ?>> caches = new LinkedHashMap<>();
    /** This node in the cluster of {@code cluster} (docs/cluster.md), or null. */
    private Cluster cluster;
    private volatile boolean closed;

    PersistCacheManager(PersistCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties) {
        this.provider = provider;
        this.uri = uri;
        this.classLoader = classLoader;
        this.properties = properties;
        this.clock = properties != null && properties.get(CLOCK_PROPERTY) instanceof Clock c ? c : Clock.systemUTC();
        this.settings = ConfigResolver.resolve(uri, classLoader, properties);
        try {
            this.store = SharedStores.acquire(settings,
                    properties != null && properties.get(SETTLING_EXECUTOR_PROPERTY) instanceof Executor e ? e : null);
        } catch (StoreException e) {
            throw new CacheException("cannot open the store of cache manager " + uri + " (" + settings.source()
                    + "): " + e.getMessage(), e);
        }
        try {
            if (settings.cluster() != null) {
                cluster = Clusters.open(settings.cluster(), settings.source(), store);
            }
            for (Map.Entry<String, CacheSettings> c : settings.caches().entrySet()) {
                if (c.getValue().integration().writeBehind() != null && c.getValue().integration().writer() == null) {
                    continue; // its writer comes from the application's createCache, so the application creates it
                }
                createConfigured(c.getKey(), c.getValue());
            }
            reportWaitingDeliveries();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void createConfigured(String name, CacheSettings s) {
        MutableConfiguration config = new MutableConfiguration<>();
        config.setTypes(s.keyType() == null ? Object.class : s.keyType(),
                s.valueType() == null ? Object.class : s.valueType());
        if (s.expiryAfterWrite() != null) {
            config.setExpiryPolicyFactory(ModifiedExpiryPolicy.factoryOf(
                    new Duration(TimeUnit.MILLISECONDS, s.expiryAfterWrite().toMillis())));
        }
        createCache(name, config);
    }

    /**
     * Says which write-behind changes wait in the log for a cache that is not open: those of a cache created only in
     * code are delivered once the application creates it again with its writer and {@code writeBehind}.
     */
    private void reportWaitingDeliveries() {
        for (String ns : store.orphanNamespaces()) {
            if ((ns.startsWith("~wb~") || ns.startsWith("~wb#")) && store.orphanCount(ns) > 0) {
                LOG.log(System.Logger.Level.WARNING, "{0} write-behind change(s) in namespace ''{1}'' of {2} wait "
                        + "for their cache, which is not open; they are delivered when it is created with its writer "
                        + "and writeBehind", store.orphanCount(ns), ns, store.path());
            }
        }
    }

    /** @return this node in the cluster, or null if the configuration has no {@code cluster} */
    Cluster cluster() {
        return cluster;
    }

    /** @return the resolved settings of this manager */
    public ManagerSettings settings() {
        return settings;
    }

    @Override
    public CachingProvider getCachingProvider() {
        return provider;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public ClassLoader getClassLoader() {
        return classLoader;
    }

    @Override
    public Properties getProperties() {
        return properties;
    }

    @Override
    public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        Objects.requireNonNull(configuration, "configuration");
        CompleteConfiguration<K, V> complete = complete(configuration);
        synchronized (caches) {
            if (caches.containsKey(cacheName)) {
                throw new CacheException("cache '" + cacheName + "' already exists in cache manager " + uri);
            }
            boolean persistent = complete.isStoreByValue();
            String namespace = CacheNamespaces.namespaceOf(cacheName);
            if (persistent && isOpenElsewhere(namespace)) {
                // another manager sharing this store (same file, another ClassLoader) has this cache open: one
                // namespace has one in-memory copy, so this one cannot persist
                LOG.log(System.Logger.Level.WARNING, "cache ''{0}'' is already open in another cache manager on {1};"
                        + " this one ({2}) is memory-only", cacheName, store.path(), classLoader);
                persistent = false;
            }
            PersistCache<K, V> cache = new PersistCache<>(this, cacheName, complete, settings.cache(cacheName),
                    persistent ? store : memoryOnly, persistent, clock);
            caches.put(cacheName, cache);
            return cache;
        }
    }

    private static <K, V> CompleteConfiguration<K, V> complete(Configuration<K, V> c) {
        if (c instanceof CompleteConfiguration<K, V> cc) {
            return cc;
        }
        MutableConfiguration<K, V> m = new MutableConfiguration<>();
        m.setTypes(c.getKeyType(), c.getValueType());
        m.setStoreByValue(c.isStoreByValue());
        return m;
    }

    @Override
    public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(valueType, "valueType");
        PersistCache<?, ?> cache;
        synchronized (caches) {
            cache = caches.get(cacheName);
        }
        if (cache == null) {
            return null;
        }
        if (cache.keyType() != keyType || cache.valueType() != valueType) {
            throw new ClassCastException("cache '" + cacheName + "' has types " + cache.keyType().getName() + " -> "
                    + cache.valueType().getName() + ", not " + keyType.getName() + " -> " + valueType.getName());
        }
        @SuppressWarnings("unchecked")
        Cache<K, V> typed = (Cache<K, V>) cache;
        return typed;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> Cache<K, V> getCache(String cacheName) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        synchronized (caches) {
            return (Cache<K, V>) caches.get(cacheName);
        }
    }

    @Override
    public Iterable<String> getCacheNames() {
        requireOpen();
        synchronized (caches) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(caches.keySet()));
        }
    }

    @Override
    public void destroyCache(String cacheName) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        PersistCache<?, ?> cache;
        synchronized (caches) {
            cache = caches.remove(cacheName);
        }
        if (cache != null) {
            cache.closeAlone(true);
        } else {
            // a cache not open here may still have entries in the log, from an earlier run
            store.dropNamespace(CacheNamespaces.namespaceOf(cacheName), Durability.WRITE);
            String pending = CacheNamespaces.writeBehindNamespaceOf(cacheName);
            if (store.orphanCount(pending) > 0) {
                LOG.log(System.Logger.Level.WARNING, "cache ''{0}'' destroyed with {1} write-behind change(s) its "
                        + "writer never received; they are dropped", cacheName, store.orphanCount(pending));
                store.dropNamespace(pending, Durability.WRITE);
            }
            for (String ns : CacheNamespaces.clusterCompanionsOf(cacheName)) {
                store.dropNamespace(ns, Durability.WRITE);
            }
        }
    }

    @Override
    public void enableManagement(String cacheName, boolean enabled) {
        requireOpen();
        PersistCache<?, ?> cache = cacheOrNull(cacheName);
        if (cache != null) {
            cache.setManagementEnabled(enabled);
        }
    }

    @Override
    public void enableStatistics(String cacheName, boolean enabled) {
        requireOpen();
        PersistCache<?, ?> cache = cacheOrNull(cacheName);
        if (cache != null) {
            cache.setStatisticsEnabled(enabled);
        }
    }

    private PersistCache<?, ?> cacheOrNull(String cacheName) {
        Objects.requireNonNull(cacheName, "cacheName");
        synchronized (caches) {
            return caches.get(cacheName);
        }
    }

    /** Called by a cache closed on its own: the manager no longer hands it out. */
    void forget(PersistCache<?, ?> cache) {
        synchronized (caches) {
            caches.remove(cache.getName(), cache);
        }
    }

    /**
     * Closes every cache of this manager, then releases the store in one call: if no other manager holds it, it
     * closes with the namespaces still registered (the log holds every entry); else the namespaces are detached, so
     * that another manager can open those caches again with their entries.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        provider.release(this);
        if (cluster != null) {
            cluster.stopFollowing(); // nothing is applied any more; the caches publish what they owe below
        }
        List<PersistCache<?, ?>> open;
        synchronized (caches) {
            open = new ArrayList<>(caches.values());
            caches.clear();
        }
        List<PersistMap<?, ?>> held = new ArrayList<>();
        List<PersistCache<?, ?>> closing = new ArrayList<>();
        for (PersistCache<?, ?> c : open) {
            if (c.markClosed()) {
                closing.add(c);
            }
        }
        for (PersistCache<?, ?> c : closing) {
            // write-behind delivers what it holds while the store is still open (each for its flushOnClose)
            c.finishDeliveries();
            if (c.isPersistent()) {
                held.addAll(c.namespaces());
            }
        }
        RuntimeException failure = null;
        try {
            SharedStores.release(store, held);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (PersistCache<?, ?> c : open) {
            try {
                c.closeComponents();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        memoryOnly.close();
        if (cluster != null) {
            cluster.close();
        }
        if (failure != null) {
            throw new CacheException("closing cache manager " + uri + " failed: " + failure.getMessage(), failure);
        }
    }

    /** @return whether a cache of another manager sharing this store holds the namespace open (not closing) */
    private boolean isOpenElsewhere(String namespace) {
        PersistMap<?, ?> holder = store.registeredMap(namespace);
        return holder != null && holder.isOpen();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        if (clazz == Store.class) {
            return clazz.cast(store);
        }
        throw new IllegalArgumentException("cannot unwrap cache manager " + uri + " to " + clazz.getName());
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache manager " + uri + " is closed");
        }
    }

    @Override
    public String toString() {
        return "PersistCacheManager[" + uri + " -> " + store.path() + "]";
    }

}
