package dev.persist.examples.springboot3;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Service;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The previous stack, kept tested: Spring Boot 3.5, Spring Data JPA and Hibernate ORM 6.6, with Spring's cache and
 * Hibernate's second-level cache on one persist-jcache store ({@code persist-jcache-boot3.yaml}). Run it twice: the
 * second run reads the shelf and the label from the caches the first left in the store.
 */
@SpringBootApplication
@EnableCaching
public class ShelfApplication {
    /** A {@code @Cacheable} method keyed by two parameters (Spring's {@code SimpleKey}). */
    @Service
    public static class Labels {
        private final AtomicInteger computed = new AtomicInteger();

        @Cacheable("labels")
        public String label(String room, int number) {
            computed.incrementAndGet();
            return room + "-" + number;
        }

        /** @return how often {@link #label} ran its body */
        public int computed() {
            return computed.get();
        }
    }

    public static void main(String[] args) {
        try (ConfigurableApplicationContext context = SpringApplication.run(ShelfApplication.class, args)) {
            ShelfRepository shelves = context.getBean(ShelfRepository.class);
            if (!shelves.existsById(1L)) {
                shelves.save(new Shelf(1L, "fiction"));
            }
            System.out.println("shelf 1: " + shelves.findById(1L).map(Shelf::getLabel).orElse("?") + "; label "
                    + context.getBean(Labels.class).label("hall", 3));
        }
    }
}
