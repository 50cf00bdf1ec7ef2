/**
 * A write-ahead-log store (a Java re-design of go-persist): one log file holding the namespaces of any number of
 * {@link dev.persist.store.PersistMap}s, replayed into memory at open, appended to at a
 * {@link dev.persist.store.Durability} tier per call (MEMORY, ASYNC, WRITE, FSYNC) with group commit, and rewritten
 * to its live state by {@link dev.persist.store.Store#shrink()}.
 *
 * <p>What each tier survives, the log file format, failures, shrink and restart are described in
 * {@code docs/durability.md} of the repository; the operator tool and {@link dev.persist.store.LogFiles} in
 * {@code docs/operations.md}.
 */
package dev.persist.store;
