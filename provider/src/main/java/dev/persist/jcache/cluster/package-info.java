/**
 * Internal: caches kept coherent across nodes through a compacted Kafka topic (docs/cluster.md). A cache's change is
 * owed to the topic in its own atomic section ({@link dev.persist.jcache.cluster.Publisher}, the write-behind
 * pattern: the log is the queue), published by a deliverer, and applied by every node in topic order
 * ({@link dev.persist.jcache.cluster.KafkaNode}), which records the offsets it applied in the same atomic sections.
 * Only {@link dev.persist.jcache.cluster.KafkaNode} and {@link dev.persist.jcache.cluster.KafkaSettings} touch Kafka's
 * classes, and they are loaded only when {@code cluster} is configured: {@code kafka-clients} is optional.
 */
package dev.persist.jcache.cluster;
