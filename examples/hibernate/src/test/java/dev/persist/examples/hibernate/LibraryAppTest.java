package dev.persist.examples.hibernate;

import dev.persist.store.Store;
import org.hibernate.Session;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        Path log = dir.resolve("library-db-cache.log");

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
     * A database created again while the application was down (here: {@code create-drop}, whose schema is new at
     * every start). Without the generation guard the persistent second-level cache serves the first run's author,
     * which the new, empty database does not have.
     */
    @Test
    void withoutTheGenerationGuardACreateDropRestartServesRowsTheDatabaseNoLongerHas() throws IOException {
        LibraryApp.quietLogging();
        Map<String, String> settings = new HashMap<>(settings());
        settings.put("hibernate.hbm2ddl.auto", "create-drop");
        try (SessionFactory first = LibraryApp.configuration(settings).buildSessionFactory()) {
            LibraryApp.createDataIfMissing(first);
            LibraryApp.read(first);
        }
        try (SessionFactory second = LibraryApp.configuration(settings).buildSessionFactory()) {
            assertThat(authors(settings)).as("the database is empty").isZero();
            try (Session session = second.openSession()) {
                assertThat(session.find(Author.class, 1L)).as("a stale author from the cache").isNotNull();
            }
        }
    }

    /** The same with the guard: the database's new generation clears the caches at open. */
    @Test
    void theGenerationGuardClearsTheCacheWhenTheDatabaseWasCreatedAgain() throws IOException {
        LibraryApp.quietLogging();
        Map<String, String> settings = new HashMap<>(settings());
        settings.put("hibernate.hbm2ddl.auto", "create-drop");
        try (SessionFactory first = LibraryApp.sessionFactory(settings)) {
            LibraryApp.createDataIfMissing(first);
            LibraryApp.read(first);
            assertThat(cacheManagerStore(first).stats().generationClears()).isZero();
        }
        try (SessionFactory second = LibraryApp.sessionFactory(settings)) {
            assertThat(authors(settings)).as("the database is empty").isZero();
            try (Session session = second.openSession()) {
                assertThat(session.find(Author.class, 1L)).as("no author in the database, none from the cache")
                        .isNull();
            }
            assertThat(cacheManagerStore(second).stats().generationClears()).isEqualTo(1);
            assertThat(cacheManagerStore(second).stats().generationClearedKeys()).isPositive();
        }
    }

    /**
     * A value the allowlist refuses (the enum {@code Book.Format}, its package not allowed): Hibernate puts after
     * the commit, so with {@code onUnencodable: fail} the committed transaction throws; with {@code skip} (the
     * example's setting) the entries are left out of the cache, counted, and reads work, from the database.
     */
    @Test
    void aRefusedValueFailsACommittedTransactionWithFailAndIsLeftOutOfTheCacheWithSkip() throws IOException {
        LibraryApp.quietLogging();
        Map<String, String> fail = settings("fail", "db-fail");
        assertThatThrownBy(() -> {
            try (SessionFactory f = LibraryApp.sessionFactory(fail)) {
                LibraryApp.createDataIfMissing(f);
            }
        }).hasStackTraceContaining("class " + Book.Format.class.getName() + " is not allowed");
        assertThat(authors(fail)).as("the transaction was committed all the same").isEqualTo(2);

        Map<String, String> skip = settings("skip", "db-skip");
        List<String> firstTitles;
        try (SessionFactory f = LibraryApp.sessionFactory(skip)) {
            LibraryApp.createDataIfMissing(f);
            firstTitles = LibraryApp.read(f);
            assertThat(LibraryApp.read(f)).isEqualTo(firstTitles).contains("Joshua Bloch: Effective Java");
            assertThat(cacheManagerStore(f).stats().skippedValues()).as("books left out of the cache").isPositive();
        }
    }

    /**
     * The example's settings, with the database and the cache store in the test's directory: the YAML file is the
     * example's, with its {@code store.path} pointed there (Hibernate passes only a URI to the provider).
     */
    private Map<String, String> settings() throws IOException {
        return settings(null, "library-db");
    }

    /**
     * @param onUnencodable null for the example's YAML as it is; else its value of {@code defaults.onUnencodable},
     *                      with the example's package no longer allowed for serialization
     * @param database      the database's file name in the test's directory
     */
    private Map<String, String> settings(String onUnencodable, String database) throws IOException {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/persist-jcache-hibernate.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String path = "  path: data/hibernate-cache.log";
        assertThat(yaml).contains(path);
        String name = database + "-cache";
        yaml = yaml.replace(path, "  path: '" + dir.resolve(name + ".log") + "'");
        if (onUnencodable != null) {
            String allow = "allow: [ \"dev.persist.examples.hibernate.*\" ]";
            String skip = "onUnencodable: skip";
            assertThat(yaml).contains(allow).contains(skip);
            yaml = yaml.replace(allow, "allow: []").replace(skip, "onUnencodable: " + onUnencodable);
        }
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        return Map.of(
                "hibernate.connection.url", "jdbc:h2:file:" + dir.resolve(database),
                "hibernate.javax.cache.uri", config.toUri().toString());
    }

    /** @return the authors the database holds, counted with SQL (not through Hibernate and its cache) */
    private static int authors(Map<String, String> settings) {
        try (Connection c = DriverManager.getConnection(settings.get("hibernate.connection.url"), "sa", "");
             ResultSet r = c.createStatement().executeQuery("select count(*) from Author")) {
            r.next();
            return r.getInt(1);
        } catch (java.sql.SQLException e) {
            // create-drop dropped the table: no author
            return 0;
        }
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
