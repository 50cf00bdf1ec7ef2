/**
 * A cache's loader and writer as its operations call them: read-through, write-through (a cache without it has a
 * writer that does nothing), write-behind ({@link dev.persist.jcache.integration.BehindWriter}: what each key owes
 * the writer kept in the log, delivered later in batches), failures wrapped as JSR-107 says. Internal: not exported
 * by the module.
 */
package dev.persist.jcache.integration;
