package dev.persist.bench;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.persist.jcache.PersistCache;
import dev.persist.store.Durability;
import dev.persist.store.Store;
import org.ehcache.config.CacheConfiguration;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.core.config.DefaultConfiguration;
import org.ehcache.impl.config.copy.DefaultCopierConfiguration;
import org.ehcache.impl.config.persistence.DefaultPersistenceConfiguration;
import org.ehcache.impl.copy.SerializingCopier;
import org.ehcache.jsr107.Eh107Configuration;
import org.ehcache.jsr107.EhcacheCachingProvider;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The implementations under test, all opened and used through the {@code javax.cache} API, all store-by-value
 * (the JCache default), {@code Cache<String, Item>}:
 * <ul>
 *   <li>{@code persist-MEMORY|ASYNC|WRITE|FSYNC}: this provider, with {@code defaults.durability} set to the tier
 *       and {@code store.path} in the trial's directory (both as {@code getCacheManager} Properties);</li>
 *   <li>{@code caffeine}: Caffeine's jcache module ({@code CaffeineCachingProvider}), in memory;</li>
 *   <li>{@code ehcache-heap}: Ehcache 3's JSR-107 provider with a plain {@code MutableConfiguration} (heap);</li>
 *   <li>{@code ehcache-disk}: Ehcache 3 with a heap tier of {@value #EHCACHE_HEAP_ENTRIES} entries over a
 *       persistent disk tier ({@code ResourcePoolsBuilder.heap(n).disk(size, MB, true)}) in the trial's directory,
 *       values copied by Java serialization (store-by-value), through
 *       {@code Eh107Configuration.fromEhcacheCacheConfiguration}.</li>
 * </ul>
 * and one reference outside JCache, for the throughput benchmarks ({@link JCacheTrial}) only:
 * <ul>
 *   <li>{@code caffeine-raw}: a plain Caffeine {@code Cache<String, Item>} ({@link #rawCaffeine}), no JCache layer,
 *       values held as they are (by reference): what this provider's in-memory front costs without the JCache API,
 *       the value copies and the store around it.</li>
 * </ul>
 */
final class JCacheImpls {
    static final String PERSIST = "dev.persist.jcache.PersistCachingProvider";
    static final String CAFFEINE = "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider";
    static final String EHCACHE = "org.ehcache.jsr107.EhcacheCachingProvider";
    static final String CACHE_NAME = "bench";
    /** The raw Caffeine reference: no {@code CacheManager}, no {@code javax.cache.Cache}. */
    static final String CAFFEINE_RAW = "caffeine-raw";
    /** Heap tier of ehcache-disk, in entries; the rest of the entries live only on the disk tier. */
    static final long EHCACHE_HEAP_ENTRIES = 10_000;
    /** Disk tier of ehcache-disk, in MB (room for 1M entries of the restart benchmark). */
    static final long EHCACHE_DISK_MB = 2048;

    private JCacheImpls() {
    }

    /** @return the tier of a {@code persist-*} implementation, null for the others */
    static Durability persistTier(String impl) {
        return impl.startsWith("persist-") ? Durability.valueOf(impl.substring("persist-".length())) : null;
    }

    /** @return whether {@code impl} is the raw Caffeine reference, not a JCache implementation */
    static boolean isRawCaffeine(String impl) {
        return impl.equals(CAFFEINE_RAW);
    }

    /**
     * The {@code caffeine-raw} cache: built as this provider builds its in-memory front for the benchmark cache
     * ({@code Caffeine.newBuilder()}, no size bound, no expiry: Caffeine's unbounded cache; the provider's eviction
     * listener does not make it bounded), filled with keys {@code 0..n-1} as {@link #fill} does.
     */
    static BenchCache rawCaffeine(String[] keys) {
        com.github.benmanes.caffeine.cache.Cache<String, Item> cache = Caffeine.newBuilder().build();
        for (int i = 0; i < keys.length; i++) {
            cache.put(keys[i], new Item(i, "example struct", i * 0.5));
        }
        return new BenchCache.RawCaffeine(cache);
    }

    /** Opens the implementation's cache manager, its files (if any) in {@code dir}. */
    static CacheManager openManager(String impl, Path dir) {
        ClassLoader cl = JCacheImpls.class.getClassLoader();
        URI uri = URI.create("bench:" + dir.getFileName());
        Durability tier = persistTier(impl);
        if (tier != null) {
            CachingProvider p = Caching.getCachingProvider(PERSIST, cl);
            Properties props = new Properties();
            props.setProperty("store.path", dir.resolve("bench.log").toString());
            props.setProperty("defaults.durability", tier.name().toLowerCase(Locale.ROOT));
            return p.getCacheManager(uri, cl, props);
        }
        switch (impl) {
            case CAFFEINE_RAW:
                throw new IllegalArgumentException(impl + " is not a JCache implementation: see rawCaffeine");
            case "caffeine":
                return Caching.getCachingProvider(CAFFEINE, cl).getCacheManager(uri, cl);
            case "ehcache-heap":
                // a DefaultConfiguration, not the URI: Ehcache reads any other URI as an XML configuration file
                return ((EhcacheCachingProvider) Caching.getCachingProvider(EHCACHE, cl))
                        .getCacheManager(uri, new DefaultConfiguration(cl));
            case "ehcache-disk":
                EhcacheCachingProvider eh = (EhcacheCachingProvider) Caching.getCachingProvider(EHCACHE, cl);
                return eh.getCacheManager(uri, new DefaultConfiguration(cl,
                        new DefaultPersistenceConfiguration(dir.resolve("ehcache").toFile())));
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    /** Creates the benchmark cache (also after a restart: the persistent ones come back with their entries). */
    static Cache<String, Item> createCache(String impl, CacheManager manager) {
        Cache<String, Item> cache;
        if (impl.equals("ehcache-disk")) {
            CacheConfiguration<String, Item> cc = CacheConfigurationBuilder
                    .newCacheConfigurationBuilder(String.class, Item.class, ResourcePoolsBuilder
                            .heap(EHCACHE_HEAP_ENTRIES).disk(EHCACHE_DISK_MB, MemoryUnit.MB, true))
                    .withService(new DefaultCopierConfiguration<>(SerializingCopier.<Item>asCopierClass(),
                            DefaultCopierConfiguration.Type.VALUE))
                    .build();
            cache = manager.createCache(CACHE_NAME, Eh107Configuration.fromEhcacheCacheConfiguration(cc));
        } else {
            cache = manager.createCache(CACHE_NAME,
                    new MutableConfiguration<String, Item>().setTypes(String.class, Item.class).setStoreByValue(true));
        }
        return cache;
    }

    /** @return whether the cache reports store-by-value (all should) */
    @SuppressWarnings("unchecked")
    static boolean storeByValue(Cache<String, Item> cache) {
        try {
            return cache.getConfiguration(CompleteConfiguration.class).isStoreByValue();
        } catch (IllegalArgumentException e) {
            return true; // Eh107Configuration: by value through the serializing copier configured above
        }
    }

    /** @return the store of a {@code persist-*} cache, else null */
    static Store storeOf(String impl, Cache<String, Item> cache) {
        return persistTier(impl) == null ? null : cache.unwrap(Store.class);
    }

    /**
     * Fills keys {@code 0..n-1} with {@code Item(i, "example struct", i * 0.5)}: this provider with ASYNC puts and
     * an fsync (so a FSYNC trial need not spend minutes filling, and the log holds the records), the others with
     * plain puts.
     */
    @SuppressWarnings("unchecked")
    static void fill(String impl, Cache<String, Item> cache, String[] keys) {
        if (persistTier(impl) != null) {
            PersistCache<String, Item> pc = cache.unwrap(PersistCache.class);
            for (int i = 0; i < keys.length; i++) {
                pc.put(keys[i], new Item(i, "example struct", i * 0.5), Durability.ASYNC);
            }
            cache.unwrap(Store.class).fsyncAll();
        } else {
            for (int i = 0; i < keys.length; i++) {
                cache.put(keys[i], new Item(i, "example struct", i * 0.5));
            }
        }
    }

    /** Closes the manager and its provider's managers of this class loader are left alone. */
    static void close(CacheManager manager) {
        if (manager != null && !manager.isClosed()) {
            manager.close();
        }
    }

    /** @return bytes of all files under {@code dir} */
    static long sizeOnDisk(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
