package dev.persist.examples.quickstart;

import dev.persist.store.Store;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plain JCache, no configuration file: {@code Caching.getCachingProvider()} finds persist-jcache, whose default
 * cache manager keeps its caches in {@code persist-jcache-data/default.log} under the working directory (or the
 * directory named by {@code -Dpersist.jcache.dir}), every put written to the log before it returns.
 *
 * <p>Run it twice: the second run finds what the first one wrote.
 */
public final class Quickstart {
    private Quickstart() {
    }

    public static void main(String[] args) {
        // try-with-resources closes the manager, which closes its store; a JVM exit without close loses nothing
        // either (tier WRITE: each put is in the log when put returns)
        try (CacheManager manager = Caching.getCachingProvider().getCacheManager()) {
            System.out.println("store: " + manager.unwrap(Store.class).path().toAbsolutePath());

            // a cache created in code: it is not in any configuration file, so a new manager knows it only once
            // it is created again, and then it comes back with every entry it had
            Cache<String, String> runs = manager.getCache("runs", String.class, String.class);
            if (runs == null) {
                runs = manager.createCache("runs",
                        new MutableConfiguration<String, String>().setTypes(String.class, String.class));
            }

            Map<String, String> found = new TreeMap<>();
            for (Cache.Entry<String, String> e : runs) {
                found.put(e.getKey(), e.getValue());
            }
            System.out.println("found " + found.size() + " entries from earlier runs");
            found.forEach((k, v) -> System.out.println("  found " + k + " = " + v));

            String key = String.format("run-%03d", found.size() + 1);
            String value = "written at " + Instant.now() + " by process " + ManagementFactory.getRuntimeMXBean()
                    .getPid();
            runs.put(key, value);
            System.out.println("wrote " + key + " = " + value);
            System.out.println(found.isEmpty()
                    ? "Run me again: the entry above will be found."
                    : "The entries found were written by earlier runs of this program.");
        }
    }
}
