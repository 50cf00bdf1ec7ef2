package dev.persist.examples.springboot;

import dev.persist.jcache.metrics.PersistStoreMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot's cache abstraction on persist-jcache ({@code spring.cache.type=jcache},
 * {@code spring.cache.jcache.config=classpath:persist-jcache.yaml}). Run it twice: the first run looks the book up
 * (200 ms in the service body), the second finds it in the cache written by the first, without running the body.
 */
@SpringBootApplication
@EnableCaching
public class BooksApplication {
    /**
     * The store's figures (log bytes, records, fsyncs and their time, pending ASYNC keys, ...) as Micrometer meters
     * {@code persist.store.*}. Boot's own cache metrics ({@code cache.gets}, {@code cache.puts}, ...) need nothing
     * but the actuator and {@code statistics: true} in persist-jcache.yaml.
     */
    @Bean
    MeterBinder persistStoreMetrics(javax.cache.CacheManager cacheManager) {
        return PersistStoreMetrics.of(cacheManager);
    }

    public static void main(String[] args) {
        try (ConfigurableApplicationContext context = SpringApplication.run(BooksApplication.class, args)) {
            BookService books = context.getBean(BookService.class);
            long start = System.nanoTime();
            Book book = books.find("978-0134685991");
            long micros = (System.nanoTime() - start) / 1000;
            System.out.println("found " + book + " in " + micros + " µs; service body ran " + books.lookups()
                    + " time(s) in this run" + (books.lookups() == 0 ? ": a cache hit, from an earlier run" : ""));
            if (books.lookups() > 0) {
                System.out.println("Run me again: the next run gets the book from the cache.");
            }
        } // closing the context closes the JCache CacheManager, which closes its store
    }
}
