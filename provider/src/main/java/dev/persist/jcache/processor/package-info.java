/**
 * Entry processing: the entry an {@link javax.cache.processor.EntryProcessor} works on, recording the one net change
 * the cache then applies atomically. Internal: not exported by the module.
 */
package dev.persist.jcache.processor;
