package dev.persist.examples.springboot;

import java.io.Serializable;

/**
 * A cached value. Spring's caches are untyped, so persist-jcache writes their values with Java serialization:
 * values must be {@link Serializable}.
 */
public record Book(String isbn, String title, int edition) implements Serializable {
}
