package dev.persist.examples.hibernate;

import dev.persist.jcache.PersistCachingProvider;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.hibernate.stat.Statistics;

import javax.cache.CacheManager;
import javax.cache.Caching;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hibernate ORM 7 with its second-level cache on persist-jcache ({@code hibernate.properties} and
 * {@code persist-jcache-hibernate.yaml}), over an H2 database in {@code data/}. Run it twice: the first run creates
 * the data and reads it from the database; the second reads the same entities, collection and query result from the
 * second-level cache the first run left in the store, without one SQL statement.
 */
public final class LibraryApp {
    /** The query whose result goes into the query cache. */
    static final String BOOKS_SINCE = "select b from Book b where b.published >= :year order by b.id";

    /** Held, so that the level set on it stays (JUL keeps loggers only weakly). */
    private static final Logger HIBERNATE_LOG = Logger.getLogger("org.hibernate");

    private LibraryApp() {
    }

    /** Hibernate logs through java.util.logging here: only its warnings and errors. */
    static void quietLogging() {
        HIBERNATE_LOG.setLevel(Level.WARNING);
    }

    /**
     * A SessionFactory whose second-level cache is guarded by the database's generation: the cache manager is
     * opened here, with {@code store.generation} set to {@link SchemaGeneration} of the database (Hibernate passes
     * the provider only a URI, so a value computed at run time reaches it through a manager the application opens
     * and hands over as {@code hibernate.javax.cache.cache_manager}; closing the SessionFactory closes it).
     *
     * @param overrides settings that replace those of {@code hibernate.properties} (the test's database and store)
     * @return a SessionFactory of the example's entities
     */
    public static SessionFactory sessionFactory(Map<String, String> overrides) {
        Properties settings = settings(overrides);
        String generation = SchemaGeneration.of(settings.getProperty("hibernate.connection.url"),
                settings.getProperty("hibernate.connection.username"),
                settings.getProperty("hibernate.connection.password", ""),
                List.of("create", "create-drop").contains(settings.getProperty("hibernate.hbm2ddl.auto")));
        Properties cacheProperties = new Properties();
        cacheProperties.setProperty("store.generation", generation);
        CacheManager cacheManager = Caching.getCachingProvider(PersistCachingProvider.class.getName())
                .getCacheManager(cacheUri(settings.getProperty("hibernate.javax.cache.uri")),
                        LibraryApp.class.getClassLoader(), cacheProperties);
        Configuration configuration = configuration(overrides);
        configuration.getProperties().put("hibernate.javax.cache.cache_manager", cacheManager);
        try {
            return configuration.buildSessionFactory();
        } catch (RuntimeException e) {
            cacheManager.close();
            throw e;
        }
    }

    /**
     * The Hibernate configuration of the example, without the generation guard: Hibernate opens the cache manager
     * from {@code hibernate.javax.cache.uri} itself.
     *
     * @param overrides settings that replace those of {@code hibernate.properties}
     * @return the configuration, reading {@code hibernate.properties} from the classpath
     */
    public static Configuration configuration(Map<String, String> overrides) {
        Configuration configuration = new Configuration()   // reads hibernate.properties from the classpath
                .addAnnotatedClass(Author.class)
                .addAnnotatedClass(Book.class);
        overrides.forEach(configuration::setProperty);
        return configuration;
    }

    /** {@code hibernate.properties} with {@code overrides} applied. */
    static Properties settings(Map<String, String> overrides) {
        Properties p = new Properties();
        try (InputStream in = LibraryApp.class.getResourceAsStream("/hibernate.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        p.putAll(overrides);
        return p;
    }

    /** Hibernate's {@code classpath://name} (two slashes) is persist-jcache's {@code classpath:name}. */
    static URI cacheUri(String hibernateUri) {
        return URI.create(hibernateUri.startsWith("classpath://")
                ? "classpath:" + hibernateUri.substring("classpath://".length()) : hibernateUri);
    }

    /** Creates the authors and books, if the database has none yet. */
    public static void createDataIfMissing(SessionFactory sessionFactory) {
        sessionFactory.inTransaction(session -> {
            if (session.find(Author.class, 1L) != null) {
                return;
            }
            Author bloch = new Author(1L, "Joshua Bloch");
            Author goetz = new Author(2L, "Brian Goetz");
            session.persist(bloch);
            session.persist(goetz);
            session.persist(new Book(10L, "Effective Java", 2001, bloch));
            session.persist(new Book(11L, "Java Puzzlers", 2005, bloch));
            session.persist(new Book(12L, "Effective Java, Third Edition", 2018, bloch));
            session.persist(new Book(20L, "Java Concurrency in Practice", 2006, goetz));
        });
    }

    /**
     * Reads an author, its books (the collection) and a cacheable query's result, in a new session.
     *
     * @return the titles read
     */
    public static List<String> read(SessionFactory sessionFactory) {
        try (Session session = sessionFactory.openSession()) {
            Author author = session.find(Author.class, 1L);                  // entity cache
            List<String> titles = new java.util.ArrayList<>();
            for (Book book : author.getBooks()) {                           // collection cache, then entity cache
                titles.add(author.getName() + ": " + book.getTitle());
            }
            List<Book> recent = session.createSelectionQuery(BOOKS_SINCE, Book.class)
                    .setParameter("year", 2006)
                    .setCacheable(true)                                     // query cache
                    .getResultList();
            for (Book book : recent) {
                titles.add("since 2006: " + book.getTitle());
            }
            return titles;
        }
    }

    public static void main(String[] args) {
        quietLogging();
        try (SessionFactory sessionFactory = sessionFactory(Map.of())) {
            createDataIfMissing(sessionFactory);
            Statistics stats = sessionFactory.getStatistics();
            stats.clear();
            read(sessionFactory).forEach(t -> System.out.println("  " + t));
            System.out.println(report(stats));
            System.out.println(stats.getPrepareStatementCount() == 0
                    ? "Everything came from the second-level cache: this run sent no SQL."
                    : "Run me again: the next run reads all of this from the second-level cache, without SQL.");
        } // closing the SessionFactory closes the JCache CacheManager, which closes its store
    }

    /** @return the statistics that show where the data came from */
    static String report(Statistics stats) {
        return "SQL statements: " + stats.getPrepareStatementCount()
                + ", entities loaded from the database: " + stats.getEntityLoadCount()
                + ", collections loaded from the database: " + stats.getCollectionLoadCount()
                + "\nsecond-level cache hits: " + stats.getSecondLevelCacheHitCount()
                + ", misses: " + stats.getSecondLevelCacheMissCount()
                + ", puts: " + stats.getSecondLevelCachePutCount()
                + "; query cache hits: " + stats.getQueryCacheHitCount()
                + ", misses: " + stats.getQueryCacheMissCount();
    }
}
