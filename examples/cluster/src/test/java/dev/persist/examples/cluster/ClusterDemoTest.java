package dev.persist.examples.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo as a user runs it: B sees A's change, and B restarted after kill -9 serves what it missed at once. */
class ClusterDemoTest {
    @TempDir
    Path dir;

    @Test
    void aChangeOnOneNodeIsSeenOnTheOtherAndARestartedNodeCatchesUp() throws Exception {
        List<String> said = ClusterDemo.run(dir.resolve("demo"));
        assertThat(said).anyMatch(l -> l.startsWith("node B: get greeting = hello from node A"));
        int restarted = said.indexOf("node B restarted; its first reads:");
        assertThat(restarted).isPositive();
        assertThat(said.subList(restarted, said.size())).containsSubsequence(
                "node B: get greeting = changed while B was down", "node B: get visitors = 42");
    }
}
