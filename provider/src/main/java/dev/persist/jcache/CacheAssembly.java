package dev.persist.jcache;

import dev.persist.jcache.codec.CodecChoice;
import dev.persist.jcache.codec.SerialAllowlist;
import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.OperationTiers;
import dev.persist.jcache.expiry.ExpiryTimes;
import dev.persist.jcache.config.IntegrationSettings;
import dev.persist.jcache.integration.BehindWriter;
import dev.persist.jcache.integration.Loader;
import dev.persist.jcache.integration.ThroughWriter;
import dev.persist.jcache.integration.Writer;
import dev.persist.store.Codec;
import dev.persist.store.Durability;
import dev.persist.store.MapConfig;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;

import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import java.time.Clock;

/**
 * Builds the parts of a cache from its JCache configuration and its settings: loader and writer, expiry, the held
 * forms of keys and values (codecs, allowlist), its tiers, its Caffeine front, and its namespace in the store, which
 * adopts the entries the log holds for it.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class CacheAssembly<K, V> {
    final MutableConfiguration<K, V> configuration;
    final Loader<K, V> loader;
    final Writer<K, V> writer;
    /** The write-behind writer, or null if the writer (if any) is called synchronously. */
    final BehindWriter<K, V> behind;
    final CacheWriter<K, V> idleWriter;
    final ExpiryTimes expiry;
    final Form<K> keys;
    final Form<V> values;
    final OperationTiers tiers;
    final CaffeineMemory memory;
    /** Whether the store holds every entry and memory is a bounded front ({@code disk}). */
    final boolean disk;
    final PersistMap<Object, Stored> map;
    final UnencodableValues<V> unencodable;
    /** The codec of held keys, and of the envelope the log holds: also the forms a cluster's topic carries. */
    final Codec<Object> keyCodec;
    final StoredCodec storedCodec;

    @SuppressWarnings("unchecked")
    CacheAssembly(String name, CompleteConfiguration<K, V> config, CacheSettings settings, Store store,
                  boolean persistent, ClassLoader classLoader, Clock clock, CaffeineMemory.Observer observer) {
        this.configuration = new MutableConfiguration<>(config);
        IntegrationSettings integration = settings.integration();
        applyFile(name, integration, classLoader);
        CacheLoader<K, V> cacheLoader = configuration.getCacheLoaderFactory() == null
                ? null : configuration.getCacheLoaderFactory().create();
        this.loader = new Loader<>(name, cacheLoader, configuration.isReadThrough());
        CacheWriter<K, V> cacheWriter = configuration.getCacheWriterFactory() == null
                ? null : (CacheWriter<K, V>) configuration.getCacheWriterFactory().create();
        this.expiry = new ExpiryTimes(configuration.getExpiryPolicyFactory().create());
        // a memory-only cache writes nothing, whatever the configuration says
        this.tiers = persistent ? settings.tiers() : OperationTiers.all(Durability.MEMORY);

        Class<K> keyType = configuration.getKeyType();
        Class<V> valueType = configuration.getValueType();
        SerialAllowlist allowlist = SerialAllowlist.of(name, settings.serialAllow(), keyType, valueType);
        Codec<K> keyCodec = CodecChoice.keys(keyType, classLoader, allowlist);
        Codec<V> valueCodec = CodecChoice.values(settings.codec(), valueType, classLoader, allowlist);
        if (configuration.isStoreByValue()) {
            this.keys = Form.copiedKeys(keyCodec);
            this.values = Form.encoded(valueCodec);
        } else {
            this.keys = Form.reference();
            this.values = Form.reference();
        }

        this.unencodable = new UnencodableValues<>(name, values, settings.onUnencodable(), store);

        String namespace = CacheNamespaces.namespaceOf(name);
        // store-by-reference caches are memory-only: nothing of theirs reaches a log, so neither does disk
        this.disk = persistent && settings.diskBacked();
        if (settings.diskBacked() && !persistent) {
            System.getLogger(CacheAssembly.class.getName()).log(System.Logger.Level.WARNING, "cache ''{0}'' is "
                    + "store-by-reference, so memory-only: {1}.disk does not apply", name, CacheSettings.pathOf(name));
        }
        this.memory = new CaffeineMemory(settings, expiry.eternal(), store.orphanCount(namespace), clock, observer,
                disk);
        StoredCodec storedCodec = new StoredCodec(valueCodec, values);
        this.keyCodec = (Codec<Object>) keyCodec;
        this.storedCodec = storedCodec;
        MapConfig<Object, Stored> mapConfig = MapConfig.of(namespace, (Codec<Object>) keyCodec, storedCodec)
                .durability(tiers.put())
                .evictions(tiers.remove())
                .memory(memory);
        if (disk) {
            // beyond disk.maximumBytes the store deletes the oldest records: a JCache eviction, counted
            mapConfig = mapConfig.disk(settings.diskBytes()).onDiskEviction(k -> observer.evicted(k, null));
        }
        try {
            this.map = store.map(mapConfig);
        } catch (IllegalStateException e) {
            throw new CacheException("cache '" + name + "' is already open in another cache manager on store "
                    + store.path() + ": " + e.getMessage(), e);
        }
        // entries read back from the log may exceed the bound: evict now, so the cache starts within it
        memory.cleanUp();

        if (integration.writeBehind() != null) {
            if (cacheWriter == null) {
                map.close();
                throw new CacheException("cache '" + name + "' has writeBehind but no writer: set "
                        + CacheSettings.pathOf(name) + ".writer or a CacheWriter factory in its configuration");
            }
            Form<K> keyForm = keys;
            Form<V> valueForm = values;
            try {
                this.behind = new BehindWriter<>(name, cacheWriter, integration.writeBehind(), map,
                        CacheNamespaces.writeBehindNamespaceOf(name), (Codec<Object>) keyCodec, storedCodec,
                        keyForm::out, valueForm::out);
            } catch (RuntimeException e) {
                map.close();
                throw e;
            }
            this.writer = behind;
        } else {
            this.behind = null;
            this.writer = configuration.isWriteThrough() && cacheWriter != null
                    ? new ThroughWriter<>(name, cacheWriter) : Writer.none();
        }
        // created by the factory but never called (no write-through): still the cache's to close
        this.idleWriter = writer.active() ? null : cacheWriter;
    }

    /**
     * The writer and loader the configuration file names, over those of the JCache configuration: a loader turns
     * read-through on, a writer without {@code writeBehind} write-through.
     */
    @SuppressWarnings("unchecked")
    private void applyFile(String name, IntegrationSettings integration, ClassLoader classLoader) {
        if (integration.loader() != null) {
            CacheLoader<K, V> l = instantiate(name, integration.loader(), CacheLoader.class, "loader");
            configuration.setCacheLoaderFactory(new FactoryBuilder.SingletonFactory<>(l));
            configuration.setReadThrough(true);
        }
        if (integration.writer() != null) {
            CacheWriter<K, V> w = instantiate(name, integration.writer(), CacheWriter.class, "writer");
            configuration.setCacheWriterFactory(new FactoryBuilder.SingletonFactory<>(w));
            if (integration.writeBehind() == null) {
                configuration.setWriteThrough(true);
            }
        }
    }

    /** An instance of {@code type}, a {@code kind} or a {@link Factory} of one. */
    @SuppressWarnings("unchecked")
    private static <T> T instantiate(String name, Class<?> type, Class<?> kind, String key) {
        String at = CacheSettings.pathOf(name) + "." + key;
        Object made;
        try {
            made = type.getConstructor().newInstance();
            if (!kind.isInstance(made) && made instanceof Factory<?> f) {
                made = f.create();
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            throw new CacheException(at + ": cannot create " + type.getName() + ": " + cause, cause);
        }
        if (!kind.isInstance(made)) {
            throw new CacheException(at + ": " + type.getName() + " made " + (made == null ? "null"
                    : "a " + made.getClass().getName()) + ", not a " + kind.getName());
        }
        return (T) made;
    }
}
