package dev.persist.jcache;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.util.Properties;

/**
 * Run in a child JVM by {@link CrashTest}: puts keys through the JCache API forever, printing each key once its put
 * has returned (is acknowledged), until the parent kills the process.
 */
public final class CrashChild {
    private CrashChild() {
    }

    /** @param args store path, default tier */
    public static void main(String[] args) {
        Properties p = new Properties();
        p.setProperty("store.path", args[0]);
        p.setProperty("defaults.durability", args[1]);
        CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("crash"), null, p);
        Cache<String, String> c = m.createCache("c", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        for (int i = 0; ; i++) {
            c.put("k" + i, "v" + i);
            System.out.println("ack " + i);
            System.out.flush();
        }
    }
}
