package dev.persist.bench;

import java.io.Serializable;

/**
 * The small value of the benchmarks, like go-persist's benchmark struct ({@code Field1 int, Field2 string}) plus a
 * double: about 45 bytes of JSON, e.g. {@code {"id":41327,"name":"updated struct","score":0.5}}.
 *
 * @param id    an int
 * @param name  a short string
 * @param score a double
 *
 * <p>Serializable, so the JCache benchmarks can hold it by value in every implementation (Java serialization is the
 * default copier of Caffeine's jcache module and Ehcache 3 and the default value codec of this provider).
 */
public record Item(int id, String name, double score) implements Serializable {
}
