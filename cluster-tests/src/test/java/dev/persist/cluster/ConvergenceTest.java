package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes in three child JVMs do random puts, removes and invokes on the same 20 keys at once; when they are
 * done, every node holds exactly the topic's last value of each key (the checker reads the topic with a consumer of
 * its own). Negative control: a node that is not in the cluster fails the same checker.
 */
class ConvergenceTest {

    @TempDir
    Path dir;

    private final EmbeddedKafka kafka = SharedKafka.get();

    /**
     * Runs the random workload on nodes of the given kinds and checks convergence.
     *
     * @param settle how long the nodes may take to converge once done
     * @return null if every node converged to the topic, else what differed
     */
    private String runAndCheck(String topic, Duration settle, String... kinds) throws Exception {
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < kinds.length; i++) {
                nodes.add(Node.start(dir.resolve("n" + i), "n" + i, kafka, topic, kinds[i], "replicate", "write"));
            }
            for (int i = 0; i < nodes.size(); i++) {
                nodes.get(i).send("random " + (42 + i) + " 400 20");
            }
            for (Node n : nodes) {
                assertThat(n.next(120)).isEqualTo("done");
            }
            long deadline = System.nanoTime() + settle.toNanos();
            String difference;
            do {
                Thread.sleep(200);
                difference = compare(topic, nodes);
            } while (difference != null && System.nanoTime() < deadline);
            return difference;
        } finally {
            nodes.forEach(Node::close);
        }
    }

    private String compare(String topic, List<Node> nodes) {
        Map<String, String> expected = TopicView.read(kafka.bootstrapServers(), topic).expected("shared");
        if (expected.isEmpty()) {
            return "the topic holds nothing of cache 'shared'";
        }
        for (Node n : nodes) {
            Map<String, String> held = n.dump();
            if (!held.equals(expected)) {
                return "node " + n.id + " holds " + held + ", the topic's last values are " + expected;
            }
        }
        return null;
    }

    @Test
    void threeNodesDoingRandomChangesOnSharedKeysConvergeToTheTopic() throws Exception {
        String topic = kafka.createCompactedTopic("converge-" + System.nanoTime(), 3);
        assertThat(runAndCheck(topic, Duration.ofSeconds(60), "cluster", "cluster", "cluster")).isNull();
    }

    @Test
    void negativeControlANodeOutsideTheClusterFailsTheChecker() throws Exception {
        String topic = kafka.createCompactedTopic("converge-neg-" + System.nanoTime(), 3);
        assertThat(runAndCheck(topic, Duration.ofSeconds(10), "cluster", "cluster", "local")).contains("node n2 holds");
    }
}
