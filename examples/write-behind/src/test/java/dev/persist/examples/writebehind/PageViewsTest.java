package dev.persist.examples.writebehind;

import dev.persist.jcache.PersistCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PageViewsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void database() {
        System.setProperty(PageViewDatabase.URL_PROPERTY, jdbcUrl());
    }

    @AfterEach
    void noDatabase() {
        System.clearProperty(PageViewDatabase.URL_PROPERTY);
    }

    private String jdbcUrl() {
        return "jdbc:h2:file:" + dir.resolve("page-views").toAbsolutePath();
    }

    /** The example's configuration, with the store in the test's directory. */
    private Properties settings() {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("write-behind.log").toString());
        return p;
    }

    @Test
    void tenThousandUpdatesOfAHundredPagesReachTheTableCoalesced() throws Exception {
        long rowsBefore = PageViewWriter.ROWS_WRITTEN.get();
        Map<String, Long> cached = new HashMap<>();
        try (CacheManager manager = PageViews.open(settings())) {
            Cache<String, Long> views = PageViews.pageViews(manager);
            for (int i = 0; i < 10_000; i++) {
                views.invoke("/page/" + (i % 100), PageViews.INCREMENT);
            }
            assertThat(views.unwrap(PersistCache.class).flushWriteBehind(Duration.ofSeconds(60))).isTrue();
            views.forEach(e -> cached.put(e.getKey(), e.getValue()));
        }
        assertThat(cached).hasSize(100).allSatisfy((page, count) -> assertThat(count).isEqualTo(100L));
        assertThat(PageViewDatabase.readAll()).as("the table equals the cache").isEqualTo(cached);
        long rows = PageViewWriter.ROWS_WRITTEN.get() - rowsBefore;
        assertThat(rows).as("rows the writer saw for 10,000 updates").isBetween(100L, 1_000L);
    }

    /**
     * A child JVM makes acknowledged updates at tier write and is killed with SIGKILL after N of them; its deliverer
     * never ran (a delay of an hour), so everything it acknowledged is owed. The restart delivers it all.
     */
    @Test
    void afterKillMinus9TheRestartDeliversEveryAcknowledgedValue() throws Exception {
        int killAfter = 3_000;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-D" + PageViewDatabase.URL_PROPERTY + "=" + jdbcUrl(), Updater.class.getName(),
                dir.resolve("write-behind.log").toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Map<String, Long> acked = new HashMap<>();
        String inFlight = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = out.readLine()) != null) {
                String[] l = line.split(" ");
                if (l[0].equals("B")) {
                    inFlight = l[1] + " " + l[2];
                } else if (l[0].equals("A")) {
                    acked.put(l[1], Long.parseLong(l[2]));
                    inFlight = null;
                    if (++n == killAfter) {
                        child.toHandle().destroyForcibly(); // SIGKILL, in the middle of the next update
                    }
                }
            }
        } finally {
            child.toHandle().destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acked).isNotEmpty();
        assertThat(PageViewDatabase.readAll()).as("the child delivered nothing").isEmpty();

        try (CacheManager manager = PageViews.open(settings())) {
            // the cache opens with the manager and drains what the log says is owed, untouched
            Cache<String, Long> views = PageViews.pageViews(manager);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (PageViews.writeBehind(views).getPendingCount() > 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(PageViews.writeBehind(views).getPendingCount()).isZero();
        }
        Map<String, Long> table = PageViewDatabase.readAll();
        for (Map.Entry<String, Long> e : acked.entrySet()) {
            String beganLater = inFlight != null && inFlight.startsWith(e.getKey() + " ") ? inFlight : null;
            if (beganLater == null) {
                assertThat(table.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            } else {
                // the update begun when the kill came may or may not have reached the log
                assertThat(table.get(e.getKey())).as(e.getKey()).isIn(e.getValue(),
                        Long.parseLong(beganLater.split(" ")[1]));
            }
        }
    }

    /** Child JVM: increments random pages one after another, printing each before and after, until killed. */
    public static final class Updater {
        public static void main(String[] args) {
            Properties p = new Properties();
            p.setProperty("store.path", args[0]);
            p.setProperty("caches.pageViews.writeBehind.delay", "1h");
            CacheManager manager = PageViews.open(p);
            Cache<String, Long> views = PageViews.pageViews(manager);
            java.util.Random rnd = new java.util.Random();
            Map<String, Long> counts = new HashMap<>();
            while (true) {
                String page = "/page/" + rnd.nextInt(50);
                long next = counts.getOrDefault(page, 0L) + 1;
                System.out.println("B " + page + " " + next);
                views.put(page, next);
                counts.put(page, next);
                System.out.println("A " + page + " " + next);
            }
        }
    }
}
