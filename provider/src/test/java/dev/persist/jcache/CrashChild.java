package dev.persist.jcache;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.util.Properties;

/**
 * Run in a child JVM by {@link CrashTest}: puts keys through the JCache API, printing each key once its put has
 * returned (is acknowledged), forever (until the parent kills the process), or with a third argument N, N keys and
 * then {@code System.exit(0)} without closing anything.
 */
public final class CrashChild {
    private CrashChild() {
    }

    /** @param args store path, default tier, and optionally how many keys to put before exiting */
    public static void main(String[] args) {
        Properties p = new Properties();
        p.setProperty("store.path", args[0]);
        p.setProperty("defaults.durability", args[1]);
        CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("crash"), null, p);
        Cache<String, String> c = m.createCache("c", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        int exitAfter = args.length > 2 ? Integer.parseInt(args[2]) : -1;
        for (int i = 0; ; i++) {
            if (i == exitAfter) {
                System.exit(0);
            }
            c.put("k" + i, "v" + i);
            System.out.println("ack " + i);
            System.out.flush();
        }
    }
}
