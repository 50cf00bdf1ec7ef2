/**
 * Micrometer metrics of persist-jcache's stores: {@link dev.persist.jcache.metrics.PersistStoreMetrics}, a
 * {@code MeterBinder}. Micrometer is an optional dependency: this package needs it on the class or module path, the
 * rest of the provider does not. The caches' own JCache statistics reach Micrometer through its {@code JCacheMetrics}
 * (Spring Boot's cache metrics), which read the JSR-107 statistics MXBeans.
 */
package dev.persist.jcache.metrics;
