package dev.persist.examples.hibernate;

import dev.persist.store.Store;
import org.hibernate.SessionFactory;
import org.hibernate.boot.registry.classloading.internal.ClassLoaderServiceImpl;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads entities, a collection and a cacheable query through one SessionFactory, closes it (which closes the
 * JCache CacheManager and its store), opens a new one on the same database and store, and checks with Hibernate's
 * statistics that the second reads everything from the second-level cache without SQL.
 */
class LibraryAppTest {
    @TempDir
    Path dir;

    @Test
    void secondSessionFactoryReadsFromThePersistedSecondLevelCache() throws IOException {
        LibraryApp.quietLogging();
        Map<String, String> settings = settings();
        Path log = dir.resolve("hibernate-cache.log");

        List<String> firstTitles;
        try (SessionFactory first = LibraryApp.sessionFactory(settings)) {
            LibraryApp.createDataIfMissing(first);
            Statistics stats = first.getStatistics();
            stats.clear();
            firstTitles = LibraryApp.read(first);
            System.out.println("first SessionFactory:\n" + LibraryApp.report(stats));
            assertThat(stats.getPrepareStatementCount()).as("the first reads need SQL").isPositive();
            assertThat(stats.getQueryCacheMissCount()).isEqualTo(1);
            assertThat(stats.getQueryCachePutCount()).isEqualTo(1);
            assertThat(cacheManagerStore(first).path()).isEqualTo(log);
        }
        assertThat(Files.size(log)).isPositive();

        try (SessionFactory second = LibraryApp.sessionFactory(settings)) {
            Statistics stats = second.getStatistics();
            stats.clear();
            List<String> titles = LibraryApp.read(second);
            System.out.println("second SessionFactory:\n" + LibraryApp.report(stats));

            assertThat(titles).isEqualTo(firstTitles).contains("Joshua Bloch: Effective Java",
                    "since 2006: Effective Java, Third Edition", "since 2006: Java Concurrency in Practice");
            assertThat(stats.getPrepareStatementCount()).as("SQL statements").isZero();
            assertThat(stats.getEntityLoadCount()).as("entities loaded from the database").isZero();
            assertThat(stats.getCollectionLoadCount()).as("collections loaded from the database").isZero();
            assertThat(stats.getSecondLevelCacheHitCount()).isPositive();
            assertThat(stats.getSecondLevelCacheMissCount()).isZero();
            assertThat(stats.getQueryCacheHitCount()).isEqualTo(1);
            assertThat(stats.getQueryCacheMissCount()).isZero();
            assertThat(stats.getDomainDataRegionStatistics("dev.persist.examples.hibernate.Author").getHitCount())
                    .isEqualTo(1);
            assertThat(stats.getDomainDataRegionStatistics("dev.persist.examples.hibernate.Author.books")
                    .getHitCount()).isEqualTo(1);
            assertThat(stats.getDomainDataRegionStatistics("dev.persist.examples.hibernate.Book").getHitCount())
                    .as("the author's three books; the query's other book may come with the query result")
                    .isGreaterThanOrEqualTo(3);
        }
    }

    /**
     * The example's settings, with the database and the cache store in the test's directory: the YAML file is the
     * example's, with its {@code store.path} pointed there (Hibernate passes only a URI to the provider).
     */
    private Map<String, String> settings() throws IOException {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/persist-jcache-hibernate.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String path = "  path: data/hibernate-cache.log";
        assertThat(yaml).contains(path);
        Path config = dir.resolve("persist-jcache-hibernate.yaml");
        Files.writeString(config, yaml.replace(path, "  path: '" + dir.resolve("hibernate-cache.log") + "'"));
        return Map.of(
                "hibernate.connection.url", "jdbc:h2:file:" + dir.resolve("library-db"),
                "hibernate.javax.cache.uri", config.toUri().toString());
    }

    /** The cache URI of hibernate.properties is one Hibernate resolves (it has its own rules, see the file). */
    @Test
    void theExamplesCacheUriResolves() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/hibernate.properties")) {
            properties.load(in);
        }
        String uri = properties.getProperty("hibernate.javax.cache.uri");
        ClassLoaderServiceImpl classLoaders = new ClassLoaderServiceImpl();
        try {
            assertThat(classLoaders.locateResource(uri)).as(uri).isNotNull()
                    .hasToString(getClass().getResource("/persist-jcache-hibernate.yaml").toString());
        } finally {
            classLoaders.stop();
        }
    }

    private static Store cacheManagerStore(SessionFactory sessionFactory) {
        JCacheRegionFactory regionFactory = (JCacheRegionFactory) sessionFactory.unwrap(SessionFactoryImplementor.class)
                .getCache().getRegionFactory();
        return regionFactory.getCacheManager().unwrap(Store.class);
    }
}
