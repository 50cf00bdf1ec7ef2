package dev.persist.bench;

import org.ehcache.config.CacheConfiguration;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.builders.WriteBehindConfigurationBuilder;
import org.ehcache.core.config.DefaultConfiguration;
import org.ehcache.jsr107.Eh107Configuration;
import org.ehcache.jsr107.EhcacheCachingProvider;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The caches of the write-behind comparison, each a {@code javax.cache.Cache<String, String>} writing into an
 * {@link H2Table} through the same writer ({@link H2Writers}), delay 1 s and batches of 500 where there is a delay:
 * <ul>
 *   <li>{@code persist-behind}: this provider, tier WRITE, {@code writeBehind: { delay: 1s, batchSize: 500 }}, the
 *       writer given in code ({@code MutableConfiguration.setCacheWriterFactory});</li>
 *   <li>{@code persist-through}: this provider, tier WRITE, the same writer with write-through (one transaction per
 *       put, inside the put);</li>
 *   <li>{@code ehcache-behind}: Ehcache 3's native write-behind ({@code WriteBehindConfigurationBuilder}, batched,
 *       1 s, 500, coalescing, one writer thread, queue of 100,000) on its loader-writer, heap tier, through its
 *       JSR-107 cache ({@code Eh107Configuration.fromEhcacheCacheConfiguration}).</li>
 * </ul>
 */
final class WriteBehindCaches {
    static final String NAME = "wb";

    private WriteBehindCaches() {
    }

    /** An open cache and what to close. */
    record Opened(CacheManager manager, Cache<String, String> cache) implements AutoCloseable {
        @Override
        public void close() {
            manager.close();
        }
    }

    static Opened open(String impl, Path dir, H2Table table, URI uri) {
        ClassLoader cl = WriteBehindCaches.class.getClassLoader();
        switch (impl) {
            case "persist-behind", "persist-through" -> {
                Properties p = new Properties();
                p.setProperty("store.path", dir.resolve("cache.log").toString());
                p.setProperty("defaults.durability", "write");
                if (impl.equals("persist-behind")) {
                    // configured without a writer: the cache waits for createCache, which gives it the writer
                    p.setProperty("caches." + NAME + ".writeBehind.delay", "1s");
                    p.setProperty("caches." + NAME + ".writeBehind.batchSize", "500");
                    p.setProperty("caches." + NAME + ".writeBehind.flushOnClose", "60s");
                }
                CacheManager m = Caching.getCachingProvider(JCacheImpls.PERSIST, cl).getCacheManager(uri, cl, p);
                Cache<String, String> c = m.createCache(NAME, new MutableConfiguration<String, String>()
                        .setTypes(String.class, String.class)
                        .setCacheWriterFactory(new FactoryBuilder.SingletonFactory<>(new H2Writers.Jsr107(table)))
                        .setWriteThrough(true));
                return new Opened(m, c);
            }
            case "ehcache-behind" -> {
                CacheManager m = ((EhcacheCachingProvider) Caching.getCachingProvider(JCacheImpls.EHCACHE, cl))
                        .getCacheManager(uri, new DefaultConfiguration(cl));
                CacheConfiguration<String, String> cc = CacheConfigurationBuilder
                        .newCacheConfigurationBuilder(String.class, String.class, ResourcePoolsBuilder.heap(1_000_000))
                        .withLoaderWriter(new H2Writers.Ehcache(table))
                        .withService(WriteBehindConfigurationBuilder
                                .newBatchedWriteBehindConfiguration(1, TimeUnit.SECONDS, 500)
                                .queueSize(100_000).concurrencyLevel(1).enableCoalescing())
                        .build();
                return new Opened(m, m.createCache(NAME, Eh107Configuration.fromEhcacheCacheConfiguration(cc)));
            }
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        }
    }
}
