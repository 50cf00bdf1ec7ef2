package dev.persist.bench;

/**
 * The small value of the benchmarks, like go-persist's benchmark struct ({@code Field1 int, Field2 string}) plus a
 * double: about 45 bytes of JSON, e.g. {@code {"id":41327,"name":"updated struct","score":0.5}}.
 *
 * @param id    an int
 * @param name  a short string
 * @param score a double
 */
public record Item(int id, String name, double score) {
}
