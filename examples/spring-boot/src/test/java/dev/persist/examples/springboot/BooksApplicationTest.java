package dev.persist.examples.springboot;

import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.cache.autoconfigure.JCachePropertiesCustomizer;
import org.springframework.boot.micrometer.metrics.actuate.endpoint.MetricsEndpoint;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import javax.cache.CacheManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the application, uses the cached service, closes the context; starts a new context on the same store and
 * checks that the cached book comes back without the service body running.
 */
class BooksApplicationTest {
    private static final String ISBN = "978-0134685991";

    @TempDir
    Path dir;

    @Test
    void cachedResultsSurviveARestartOfTheApplication() {
        Path log = dir.resolve("books.log");

        try (ConfigurableApplicationContext first = start(log)) {
            BookService books = first.getBean(BookService.class);
            assertThat(books.find(ISBN).title()).isEqualTo("Effective Java");
            assertThat(books.find(ISBN).title()).isEqualTo("Effective Java");
            assertThat(books.lookups()).as("second call is a hit").isEqualTo(1);

            books.save(new Book(ISBN, "Effective Java", 4)); // @CachePut: the cache now holds edition 4
            assertThat(books.find(ISBN).edition()).isEqualTo(4);
            assertThat(books.lookups()).isEqualTo(1);
        }
        assertThat(Files.exists(log)).as("the store file the test configured").isTrue();

        try (ConfigurableApplicationContext second = start(log)) {
            BookService books = second.getBean(BookService.class);
            assertThat(books.lookups()).isZero();

            Book book = books.find(ISBN);
            assertThat(book).isEqualTo(new Book(ISBN, "Effective Java", 4));
            assertThat(books.lookups()).as("after the restart, find() is a cache hit: the body did not run").isZero();
            assertThat(second.getBean(CacheManager.class).unwrap(Store.class).path()).isEqualTo(log);

            books.forget(ISBN);                              // @CacheEvict
            books.find(ISBN);
            assertThat(books.lookups()).as("after the eviction, find() runs the body again").isEqualTo(1);
        }
    }

    /**
     * The actuator's metrics endpoint shows Boot's cache metrics of the JCache cache (from its JSR-107 statistics)
     * and the store's meters of {@link dev.persist.jcache.metrics.PersistStoreMetrics}.
     */
    @Test
    void cacheAndStoreMetricsReachTheActuatorsMetricsEndpoint() {
        try (ConfigurableApplicationContext context = start(dir.resolve("metrics.log"))) {
            BookService books = context.getBean(BookService.class);
            books.find(ISBN);                                // a miss and a put
            books.find(ISBN);                                // a hit
            books.find(ISBN);                                // a hit
            MetricsEndpoint metrics = context.getBean(MetricsEndpoint.class);

            assertThat(value(metrics, "cache.gets", "cache:books", "result:hit")).isEqualTo(2);
            assertThat(value(metrics, "cache.gets", "cache:books", "result:miss")).isEqualTo(1);
            assertThat(value(metrics, "cache.puts", "cache:books")).isEqualTo(1);

            Store store = context.getBean(CacheManager.class).unwrap(Store.class);
            Path log = store.path();
            // the records' bytes (the file itself runs past them with zeros while the store is open, on Linux)
            assertThat(value(metrics, "persist.store.log.bytes", "store:" + log))
                    .isEqualTo((double) store.stats().logBytes()).isGreaterThan(100);
            assertThat(value(metrics, "persist.store.keys.live")).isEqualTo(1);
            assertThat(value(metrics, "persist.store.writes")).isPositive();
            assertThat(metrics.listNames().getNames()).contains("persist.store.fsync", "persist.store.values.skipped",
                    "persist.store.generation.clears", "persist.store.async.pending");
        }
    }

    /** The first measurement (a gauge's value, a counter's count) of a metric as the endpoint reports it. */
    private static double value(MetricsEndpoint metrics, String name, String... tags) {
        MetricsEndpoint.MetricDescriptor descriptor = metrics.metric(name, List.of(tags));
        assertThat(descriptor).as(name + " " + List.of(tags)).isNotNull();
        return descriptor.getMeasurements().get(0).getValue();
    }

    /**
     * Starts the application as main() does, with one change: the store is in the test's directory. A
     * {@link JCachePropertiesCustomizer} fills the Properties Spring Boot passes to getCacheManager, and
     * persist-jcache reads those as overrides of the configuration file's settings.
     */
    private static ConfigurableApplicationContext start(Path log) {
        return new SpringApplicationBuilder(BooksApplication.class)
                .initializers(context -> ((GenericApplicationContext) context).registerBean(
                        JCachePropertiesCustomizer.class,
                        () -> properties -> properties.setProperty("store.path", log.toString())))
                .run();
    }
}
