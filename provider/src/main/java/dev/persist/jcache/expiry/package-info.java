/**
 * Expiry of cache entries: a cache's {@link javax.cache.expiry.ExpiryPolicy} turned into expiry times on the
 * cache's clock, and Caffeine told the same times. Internal: not exported by the module.
 */
package dev.persist.jcache.expiry;
