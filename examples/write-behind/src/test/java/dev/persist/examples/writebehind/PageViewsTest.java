package dev.persist.examples.writebehind;

import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PageViewsTest {
    private static final String PAGE = "/home";

    @TempDir
    Path dir;

    /** The example's configuration, with the store in the test's directory and a syncer that never runs by itself. */
    private Properties settings() {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("write-behind.log").toString());
        p.setProperty("store.syncInterval", "1h"); // so that only the test's sync() writes: the counts are exact
        return p;
    }

    @Test
    void manyUpdatesOfOneKeyCoalesceIntoOneLogRecord() {
        SlowDatabase db = new SlowDatabase(Duration.ofMillis(20));
        try (CacheManager manager = PageViews.open(settings())) {
            Cache<String, Long> views = PageViews.pageViews(manager);
            Store store = views.unwrap(Store.class);
            PersistMap<?, ?> map = views.unwrap(PersistMap.class);
            assertThat(PageViews.current(views, db, PAGE)).isZero();
            map.sync();

            long before = store.stats().logRecords();
            for (int i = 0; i < 1000; i++) {
                views.invoke(PAGE, PageViews.INCREMENT);
            }
            assertThat(map.pendingAsync()).as("one dirty key").isEqualTo(1);
            assertThat(store.stats().logRecords()).as("nothing written before the sync").isEqualTo(before);

            map.sync();
            assertThat(map.pendingAsync()).isZero();
            assertThat(store.stats().logRecords()).as("1000 updates, one record").isEqualTo(before + 1);

            for (int i = 0; i < 500; i++) {
                views.invoke(PAGE, PageViews.INCREMENT);
            }
            assertThat(store.stats().logRecords()).isEqualTo(before + 1);
        } // close() writes what is pending

        try (CacheManager manager = PageViews.open(settings())) {
            Cache<String, Long> views = PageViews.pageViews(manager);
            assertThat(PageViews.current(views, db, PAGE)).as("the count after a restart").isEqualTo(1500);
            assertThat(db.reads()).as("the database was read once, before the restart").isEqualTo(1);
            assertThat(views.unwrap(Store.class).stats().logRecords()).as("first value, after 1000, after 1500")
                    .isEqualTo(3);
        }
    }

    /**
     * The loss window: a process that dies without closing (here {@code Runtime.halt}, as a {@code kill -9} or a
     * power cut) loses the ASYNC updates made since the last sync, and nothing before it.
     */
    @Test
    void aCrashLosesOnlyTheUpdatesSinceTheLastSync() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                CrashingCounter.class.getName(), dir.resolve("write-behind.log").toString()))
                .inheritIO()
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("the child halts with 3 after its updates").isEqualTo(3);

        try (CacheManager manager = PageViews.open(settings())) {
            Cache<String, Long> views = PageViews.pageViews(manager);
            assertThat(views.get(PAGE)).as("100 synced updates kept, 50 unsynced lost").isEqualTo(100L);
        }
    }

    /** Child JVM: 100 updates, a sync, 50 more updates, then dies without closing anything. */
    public static final class CrashingCounter {
        public static void main(String[] args) {
            Properties p = new Properties();
            p.setProperty("store.path", args[0]);
            p.setProperty("store.syncInterval", "1h");
            CacheManager manager = PageViews.open(p);
            Cache<String, Long> views = PageViews.pageViews(manager);
            for (int i = 0; i < 100; i++) {
                views.invoke(PAGE, PageViews.INCREMENT);
            }
            views.unwrap(PersistMap.class).sync();
            for (int i = 0; i < 50; i++) {
                views.invoke(PAGE, PageViews.INCREMENT);
            }
            Runtime.getRuntime().halt(3); // no shutdown hooks: the 50 updates never reach the log
        }
    }
}
