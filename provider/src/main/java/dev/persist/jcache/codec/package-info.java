/** Codecs the provider chooses for cache keys and values: Java serialization behind a filter, and the choice. */
package dev.persist.jcache.codec;
