package dev.persist.jcache.config;

/**
 * A cache's system of record as the configuration file names it: a {@code writer} and a {@code loader} (each a class
 * implementing {@link javax.cache.integration.CacheWriter} / {@link javax.cache.integration.CacheLoader}, or a
 * {@link javax.cache.configuration.Factory} of one, with a public no-argument constructor), and {@code writeBehind}.
 *
 * @param writer      the writer class, or null: the JCache configuration's writer factory, if any
 * @param loader      the loader class, or null: the JCache configuration's loader factory, if any (a configured
 *                    loader turns read-through on)
 * @param writeBehind the write-behind settings, or null: the writer is called synchronously (write-through)
 */
public record IntegrationSettings(Class<?> writer, Class<?> loader, WriteBehindSettings writeBehind) {
    /** Nothing configured: the JCache configuration decides. */
    public static final IntegrationSettings NONE = new IntegrationSettings(null, null, null);
}
