package dev.persist.jcache.integration;

import dev.persist.jcache.Stored;

/**
 * What one key of a write-behind cache owes its writer (or, the same way, what a clustered cache still owes the
 * cluster's topic, see {@code dev.persist.jcache.cluster.Publisher}): the key's latest state (its value, or absent), recorded in
 * the cache's companion namespace in the same atomic section, and the same log write, as the change itself.
 *
 * @param seq   a number unique in the cache, new at each change: the deliverer acknowledges a delivery only if the
 *              key's record still carries the number it delivered, so a change made during a delivery stays owed
 * @param since when the key became owed (epoch millis), kept across changes until it is delivered: the age of
 *              the oldest pending change
 * @param state the state to deliver: a value (with its expiry time, which the writer does not see), or null for a
 *              delete
 */
public record Owed(long seq, long since, Stored state) {
}
