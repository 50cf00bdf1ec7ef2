/**
 * persist-jcache: a JCache (JSR-107) provider whose caches survive restarts and crashes.
 *
 * <p>Exported: the provider and its caches ({@code dev.persist.jcache}), the resolved configuration and its errors
 * ({@code dev.persist.jcache.config}), the MXBeans ({@code dev.persist.jcache.management}), the Micrometer binder
 * ({@code dev.persist.jcache.metrics}, needing Micrometer on the class or module path) and the store's API
 * ({@code dev.persist.store}). Everything else (codecs, events, integration, expiry, entry processing, the store's
 * log engine) is internal. The jar works on the class path as well; there this module declaration is ignored.
 */
module dev.persist.jcache {
    requires transitive cache.api;
    requires com.github.benmanes.caffeine;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires java.management;
    // sun.misc.Unsafe.invokeCleaner: unmaps a retired log segment on Java 17 to 21 (Java 22 on uses an Arena)
    requires jdk.unsupported;
    // optional: only dev.persist.jcache.metrics uses it, and only an application with Micrometer loads that
    requires static micrometer.core;
    // optional: only a configuration with `cluster` loads dev.persist.jcache.cluster's Kafka classes
    requires static kafka.clients;

    exports dev.persist.jcache;
    exports dev.persist.jcache.config;
    exports dev.persist.jcache.management;
    exports dev.persist.jcache.metrics;
    exports dev.persist.store;

    provides javax.cache.spi.CachingProvider with dev.persist.jcache.PersistCachingProvider;
}
