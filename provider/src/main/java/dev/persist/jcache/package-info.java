/**
 * The JSR-107 (JCache 1.1.1) provider: caches that survive restarts and crashes, held in Caffeine and written to the
 * write-ahead-log store of {@link dev.persist.store}.
 *
 * <p>{@link dev.persist.jcache.PersistCachingProvider} is found by {@code Caching.getCachingProvider()}; each
 * {@link dev.persist.jcache.PersistCacheManager} has one (shared, reference-counted) {@link dev.persist.store.Store},
 * and each {@link dev.persist.jcache.PersistCache} is a namespace in it, written at the durability tier configured
 * per cache and per kind of operation. Manager URIs and the configuration file: {@code dev.persist.jcache.config};
 * codecs and the serialization allowlist: {@code dev.persist.jcache.codec}; MBeans:
 * {@code dev.persist.jcache.management}; events: {@code dev.persist.jcache.event}.
 *
 * <p>The design (namespaces, the expiry envelope, restart and settling, close, atomicity, events, bulk operations)
 * is described in {@code docs/durability.md} of the repository, the configuration in {@code docs/configuration.md},
 * serialization in {@code docs/serialization.md}.
 */
package dev.persist.jcache;
