package dev.persist.examples.writebehind;

import dev.persist.store.PersistMap;
import dev.persist.store.Store;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.processor.EntryProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.Properties;

/**
 * Write-behind: page view counters in a cache at the ASYNC tier ({@code persist-jcache-write-behind.yaml}), in front
 * of a slow database.
 *
 * <p>An update at ASYNC changes memory and marks the key dirty; the store's syncer writes the latest value of each
 * dirty key to the log and fsyncs, once per sync interval. So ten thousand updates of one key cost one log record,
 * and the database is written once, with the total, instead of ten thousand times.
 *
 * <p><b>Loss window:</b> a crash of the process or the machine loses the updates made since the last sync: at most
 * one sync interval ({@code store.syncInterval}, 1 s here). {@code close()}, and a normal JVM exit even without it,
 * write them. Use tier {@code write} or {@code fsync} for data that must not be lost.
 */
public final class PageViews {
    /** The manager URI: the example's configuration file. */
    public static final URI CONFIG = URI.create("classpath:persist-jcache-write-behind.yaml");

    /** Adds one view; runs atomically on the entry, and is written at the cache's invoke tier (async). */
    static final EntryProcessor<String, Long, Long> INCREMENT = (entry, args) -> {
        long views = (entry.exists() ? entry.getValue() : 0L) + 1;
        entry.setValue(views);
        return views;
    };

    private PageViews() {
    }

    /**
     * @param overrides settings over the configuration file's (keys such as {@code store.path})
     * @return the example's cache manager
     */
    public static CacheManager open(Properties overrides) {
        return Caching.getCachingProvider().getCacheManager(CONFIG, PageViews.class.getClassLoader(), overrides);
    }

    /** @return the cache of page view counters (declared in the configuration file) */
    public static Cache<String, Long> pageViews(CacheManager manager) {
        return manager.getCache("pageViews", String.class, Long.class);
    }

    /** Reads the page's count from the database the first time only: then the cache has it, even after a restart. */
    static long current(Cache<String, Long> views, SlowDatabase db, String page) {
        Long cached = views.get(page);
        if (cached != null) {
            return cached;
        }
        views.putIfAbsent(page, db.read(page));
        return views.get(page);
    }

    public static void main(String[] args) {
        int updates = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        String page = "/home";
        SlowDatabase db = new SlowDatabase(Duration.ofMillis(20));
        try (CacheManager manager = open(new Properties())) {
            Cache<String, Long> views = pageViews(manager);
            Store store = views.unwrap(Store.class);
            @SuppressWarnings("unchecked")
            PersistMap<Object, ?> map = views.unwrap(PersistMap.class);
            System.out.println("store: " + store.path().toAbsolutePath() + ", sync interval " + store.syncInterval());

            long start = current(views, db, page);
            System.out.println(page + " starts at " + start + (db.reads() == 0
                    ? " (from the cache's log: an earlier run counted these)" : " (read from the database)"));

            long recordsBefore = store.stats().logRecords();
            long t0 = System.nanoTime();
            for (int i = 0; i < updates; i++) {
                views.invoke(page, INCREMENT);
            }
            long micros = (System.nanoTime() - t0) / 1000;
            System.out.printf("%,d updates of %s in %,d µs (%.2f µs each); the database, at %d ms a write, would"
                            + " have taken %,d ms%n", updates, page, micros, (double) micros / updates,
                    db.latency().toMillis(), updates * db.latency().toMillis());
            System.out.println("before sync: keys with unwritten changes " + map.pendingAsync()
                    + ", log records added " + (store.stats().logRecords() - recordsBefore)
                    + " (the syncer may already have run once or twice)");

            map.sync(); // the syncer does this every sync interval; called here to show the result now
            System.out.println("after sync:  keys with unwritten changes " + map.pendingAsync()
                    + ", log records added " + (store.stats().logRecords() - recordsBefore)
                    + " for " + String.format("%,d", updates) + " updates");

            long total = views.get(page);
            db.write(page, total); // the database gets the total once, not every update
            System.out.println(page + " = " + total + "; database calls: " + db.reads() + " read(s), " + db.writes()
                    + " write(s)");
            System.out.println("Loss window: a crash loses the updates of the last sync interval ("
                    + store.syncInterval().toMillis() + " ms); close() and a normal exit write them.");
        }
    }
}
