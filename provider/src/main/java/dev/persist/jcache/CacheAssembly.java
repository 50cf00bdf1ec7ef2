package dev.persist.jcache;

import dev.persist.jcache.codec.CodecChoice;
import dev.persist.jcache.codec.SerialAllowlist;
import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.OperationTiers;
import dev.persist.jcache.expiry.ExpiryTimes;
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
    final CacheWriter<K, V> idleWriter;
    final ExpiryTimes expiry;
    final Form<K> keys;
    final Form<V> values;
    final OperationTiers tiers;
    final CaffeineMemory memory;
    final PersistMap<Object, Stored> map;
    final UnencodableValues<V> unencodable;

    @SuppressWarnings("unchecked")
    CacheAssembly(String name, CompleteConfiguration<K, V> config, CacheSettings settings, Store store,
                  boolean persistent, ClassLoader classLoader, Clock clock, CaffeineMemory.Observer observer) {
        this.configuration = new MutableConfiguration<>(config);
        CacheLoader<K, V> cacheLoader = configuration.getCacheLoaderFactory() == null
                ? null : configuration.getCacheLoaderFactory().create();
        this.loader = new Loader<>(name, cacheLoader, configuration.isReadThrough());
        CacheWriter<K, V> cacheWriter = configuration.getCacheWriterFactory() == null
                ? null : (CacheWriter<K, V>) configuration.getCacheWriterFactory().create();
        this.writer = configuration.isWriteThrough() && cacheWriter != null
                ? new ThroughWriter<>(name, cacheWriter) : Writer.none();
        // created by the factory but never called (no write-through): still the cache's to close
        this.idleWriter = writer.active() ? null : cacheWriter;
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
        this.memory = new CaffeineMemory(settings, expiry.eternal(), store.orphanCount(namespace), clock, observer);
        MapConfig<Object, Stored> mapConfig = MapConfig.of(namespace, (Codec<Object>) keyCodec,
                        new StoredCodec(valueCodec, values))
                .durability(tiers.put())
                .evictions(tiers.remove())
                .memory(memory);
        try {
            this.map = store.map(mapConfig);
        } catch (IllegalStateException e) {
            throw new CacheException("cache '" + name + "' is already open in another cache manager on store "
                    + store.path() + ": " + e.getMessage(), e);
        }
        // entries read back from the log may exceed the bound: evict now, so the cache starts within it
        memory.cleanUp();
    }
}
