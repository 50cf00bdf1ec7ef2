package dev.persist.examples.cluster;

import dev.persist.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cluster example, in one command: starts a Kafka broker, creates the compacted topic, starts two nodes (two
 * processes, each a cache manager on its own store), and shows a change made on node A seen on node B, then node B
 * killed with {@code kill -9}, changes made on A meanwhile, and B restarted: its first read already has them.
 */
public final class ClusterDemo {
    private ClusterDemo() {
    }

    public static void main(String[] args) throws Exception {
        run(Path.of(args.length > 0 ? args[0] : "data/cluster-demo"));
    }

    /**
     * Runs the demo in {@code dir} (emptied first: the broker is new at each run, so are the nodes' stores).
     *
     * @return what it printed, line by line
     */
    public static List<String> run(Path dir) throws Exception {
        List<String> said = new ArrayList<>();
        deleteTree(dir);
        Files.createDirectories(dir);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("broker"))) {
            String topic = kafka.createCompactedTopic("greetings-changes", 3);
            say(said, "Kafka broker at " + kafka.bootstrapServers() + ", compacted topic '" + topic + "'");
            Path a = config(dir, "node-a", kafka.bootstrapServers(), topic);
            Path b = config(dir, "node-b", kafka.bootstrapServers(), topic);
            try (NodeProcess nodeA = NodeProcess.start("A", a)) {
                NodeProcess nodeB = NodeProcess.start("B", b);
                try {
                    say(said, "node A: " + nodeA.call("put greeting hello from node A"));
                    // replicated: A's put returned once Kafka had it; B applies it within milliseconds
                    long start = System.nanoTime();
                    String seen;
                    do {
                        seen = nodeB.call("get greeting");
                    } while (!seen.endsWith("hello from node A") && System.nanoTime() - start < 30_000_000_000L);
                    say(said, "node B: " + seen + "   (after " + (System.nanoTime() - start) / 1_000_000 + " ms)");

                    nodeB.kill();
                    say(said, "node B killed with kill -9");
                    say(said, "node A: " + nodeA.call("put greeting changed while B was down"));
                    say(said, "node A: " + nodeA.call("put visitors 42"));
                } finally {
                    nodeB.close();
                }
                try (NodeProcess again = NodeProcess.start("B", b)) {
                    // ready means caught up: the first read already has what B missed
                    say(said, "node B restarted; its first reads:");
                    say(said, "node B: " + again.call("get greeting"));
                    say(said, "node B: " + again.call("get visitors"));
                }
            }
        }
        return said;
    }

    private static void say(List<String> said, String line) {
        System.out.println(line);
        said.add(line);
    }

    private static Path config(Path dir, String node, String bootstrap, String topic) throws IOException {
        Path file = dir.resolve(node + ".yaml");
        Files.writeString(file, """
                store: { path: '%s' }
                cluster:
                  kafka: { bootstrapServers: '%s', topic: %s }
                  mode: replicate
                  nodeId: %s
                caches:
                  greetings: { keyType: java.lang.String, valueType: java.lang.String, durability: replicated }
                """.formatted(dir.resolve(node + ".log").toAbsolutePath(), bootstrap, topic, node));
        return file;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
