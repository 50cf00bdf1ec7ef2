package dev.persist.jcache.cluster;

import dev.persist.jcache.config.ClusterSettings;
import dev.persist.jcache.config.ConfigException;
import dev.persist.store.Codecs;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;

import java.util.UUID;

/**
 * Opens this node's {@link Cluster} for a manager whose configuration has {@code cluster}. Kafka's client is an
 * optional dependency of the provider: it is looked for here, before any class that uses it is loaded, so that its
 * absence is a configuration error naming the key, not a {@code NoClassDefFoundError} somewhere later.
 */
public final class Clusters {
    /** The namespace of the node's own cluster state (its generated id), never a cache's (see CacheNamespaces). */
    static final String NODE_NAMESPACE = "~cluster";
    private static final String KAFKA_CLIENT = "org.apache.kafka.clients.producer.KafkaProducer";

    private Clusters() {
    }

    /**
     * @param settings the {@code cluster} settings
     * @param source   the configuration's source, for messages
     * @param store    the manager's store (where a generated node id is kept)
     * @return the node, connected, its topic checked
     * @throws ConfigException if kafka-clients is missing, the brokers cannot be reached or the topic is missing
     */
    public static Cluster open(ClusterSettings settings, String source, Store store) {
        try {
            Class.forName(KAFKA_CLIENT, false, Clusters.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException(source, "cluster", "needs Kafka's client on the class path: add the dependency "
                    + "org.apache.kafka:kafka-clients (4.x) to the application (the provider declares it optional)");
        }
        return new KafkaNode(settings, source, nodeId(settings, store));
    }

    /**
     * The configured id, else one generated at the first start and kept in the store: a node keeps its id across
     * restarts (it recognises its own changes in the topic), and two stores never share one.
     */
    static String nodeId(ClusterSettings settings, Store store) {
        if (settings.nodeId() != null) {
            return settings.nodeId();
        }
        if (!store.isOpen()) {
            return UUID.randomUUID().toString();
        }
        PersistMap<?, ?> held = store.registeredMap(NODE_NAMESPACE);
        if (held != null) {
            // another manager of this JVM shares the store and has it open: read it there
            Object id = cast(held).get("nodeId");
            return id != null ? id.toString() : UUID.randomUUID().toString();
        }
        PersistMap<String, String> node = store.map(NODE_NAMESPACE, Codecs.utf8(), Codecs.utf8());
        try {
            String id = node.get("nodeId");
            if (id == null) {
                id = UUID.randomUUID().toString();
                node.set("nodeId", id, Durability.FSYNC);
            }
            return id;
        } finally {
            node.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static PersistMap<Object, Object> cast(PersistMap<?, ?> m) {
        return (PersistMap<Object, Object>) m;
    }
}
