package dev.persist.examples.writebehind;

import dev.persist.jcache.PersistCache;
import dev.persist.jcache.management.WriteBehindMXBean;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.processor.EntryProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Write-behind to a database: page view counters in a cache whose {@link PageViewWriter} upserts them into an H2
 * table, configured only in {@code persist-jcache-write-behind.yaml}.
 *
 * <p>An update returns once the cache and the log hold it (tier {@code write}); what the database still owes is in
 * the log too. Every second the deliverer gives the writer the latest count of each page changed since, in one
 * JDBC batch: ten thousand updates of a hundred pages cost about a hundred rows a second, not ten thousand. A
 * {@code kill -9} loses nothing acknowledged: the next start delivers what was owed.
 */
public final class PageViews {
    /** The manager URI: the example's configuration file. */
    public static final URI CONFIG = URI.create("classpath:persist-jcache-write-behind.yaml");

    /** Adds one view; runs atomically on the entry, at the cache's invoke tier. */
    static final EntryProcessor<String, Long, Long> INCREMENT = (entry, args) -> {
        long views = (entry.exists() ? entry.getValue() : 0L) + 1;
        entry.setValue(views);
        return views;
    };

    private PageViews() {
    }

    /**
     * @param overrides settings over the configuration file's (keys such as {@code store.path})
     * @return the example's cache manager; its {@code pageViews} cache opens with it and delivers what an earlier
     *         run still owed the database
     */
    public static CacheManager open(Properties overrides) {
        return Caching.getCachingProvider().getCacheManager(CONFIG, PageViews.class.getClassLoader(), overrides);
    }

    /** @return the cache of page view counters (declared in the configuration file) */
    public static Cache<String, Long> pageViews(CacheManager manager) {
        return manager.getCache("pageViews", String.class, Long.class);
    }

    /** @return the write-behind statistics of the cache */
    static WriteBehindMXBean writeBehind(Cache<String, Long> views) {
        return views.unwrap(PersistCache.class).writeBehind();
    }

    /** @param args the number of updates (default 10000) and of pages (default 100) */
    public static void main(String[] args) throws Exception {
        int updates = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int pages = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        try (CacheManager manager = open(new Properties())) {
            Cache<String, Long> views = pageViews(manager);
            System.out.println("database " + PageViewDatabase.url() + "; pending deliveries from an earlier run: "
                    + writeBehind(views).getPendingCount());
            long t0 = System.nanoTime();
            for (int i = 0; i < updates; i++) {
                views.invoke("/page/" + (i % pages), INCREMENT);
            }
            long micros = (System.nanoTime() - t0) / 1000;
            System.out.printf("%,d updates of %d pages in %,d µs (%.1f µs each), each in the log when it returned%n",
                    updates, pages, micros, (double) micros / updates);
            System.out.println("pending now: " + writeBehind(views).getPendingCount() + " pages, the oldest for "
                    + writeBehind(views).getOldestPendingAgeMillis() + " ms");
            views.unwrap(PersistCache.class).flushWriteBehind(Duration.ofSeconds(30));
            Map<String, Long> rows = PageViewDatabase.readAll();
            System.out.printf("delivered: %,d rows in %,d JDBC batches for %,d updates; the table has %d pages, "
                            + "%,d views in all%n", PageViewWriter.ROWS_WRITTEN.get(), PageViewWriter.BATCHES.get(),
                    updates, rows.size(), rows.values().stream().mapToLong(Long::longValue).sum());
        }
    }
}
