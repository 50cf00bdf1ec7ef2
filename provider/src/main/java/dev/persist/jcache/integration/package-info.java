/**
 * A cache's loader and writer as its operations call them: read-through, write-through (a cache without it has a
 * writer that does nothing), failures wrapped as JSR-107 says. Internal: not exported by the module.
 */
package dev.persist.jcache.integration;
