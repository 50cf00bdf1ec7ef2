package dev.persist.jcache;

import dev.persist.store.Store;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM with a small heap (see {@link HostileLogBytesTest}) that opens the cache {@code c} of a log holding
 * forged values and reads the keys given, printing what each read returned, then the store's count of undecodable
 * records and whether the settling pass ended.
 *
 * <p>Arguments: the store's path, then the keys to read.
 */
public final class HostileChild {
    private HostileChild() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("store.path", Path.of(args[0]).toString());
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("hostile-child"),
                HostileChild.class.getClassLoader(), p)) {
            Cache<String, Object> c = m.createCache("c",
                    new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
            for (int i = 1; i < args.length; i++) {
                long start = System.nanoTime();
                Object v = c.get(args[i]);
                System.out.println("get " + args[i] + " " + (v == null ? "null" : v.getClass().getName()) + " "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
            }
            boolean settled = c.unwrap(PersistCache.class).awaitSettled(30, TimeUnit.SECONDS);
            System.out.println("settled " + settled);
            System.out.println("undecodable " + m.unwrap(Store.class).stats().undecodableRecords());
        }
        System.out.println("closed");
    }
}
