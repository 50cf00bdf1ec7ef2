package dev.persist.store;

import dev.persist.store.log.IndexHint;
import dev.persist.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a child JVM ({@link DiskCrashChild}) with SIGKILL while it writes a disk-backed map at WRITE, reads it back
 * through an emptied memory front and shrinks in a loop. After each kill: every acknowledged set is there (or a later
 * one of the same key), opening from whatever index file the kill left gives exactly the state a full scan gives,
 * and every value reads back through its checksum.
 */
class DiskCrashTest {
    static final long SEED = Long.getLong("crash.seed", System.nanoTime());

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesOfDiskResidentEntriesSurviveKillsAndTheIndexFileAgreesWithAFullScan() throws Exception {
        Path log = dir.resolve("disk.log");
        Random rnd = new Random(SEED);
        String rerun = "seed " + SEED + " (rerun with -Dcrash.seed=" + SEED + ")";
        Map<String, String> acked = new HashMap<>();
        int shrinks = 0;
        int fromIndex = 0;
        for (int run = 1; run <= 6; run++) {
            try (ChildJvm child = ChildJvm.start(dir, DiskCrashChild.class, log.toString(), String.valueOf(run),
                    String.valueOf(SEED + run))) {
                child.awaitLine("STARTED", 60_000);
                if (run == 1) {
                    // on a loaded machine no shrink might end within the random delays below: one run waits for one
                    child.awaitLine("SHRUNK", 60_000);
                }
                Thread.sleep(300 + rnd.nextInt(700));
                child.kill();
                child.assertEndedByTheKill(rerun);
                Map<String, String> begun = new HashMap<>();
                for (String line : child.linesToEof()) {
                    assertThat(line).as(rerun).doesNotStartWith("ERROR");
                    String[] p = line.split(" ");
                    if (p[0].equals("A")) {
                        acked.put(p[1], p[2]);
                    } else if (p[0].equals("B")) {
                        begun.put(p[1], p[2]);
                    } else if (p[0].equals("SHRUNK")) {
                        shrinks++;
                    }
                }
                Map<String, String> viaIndex = open(log);
                fromIndex += lastOpenFromIndex ? 1 : 0;
                for (Map.Entry<String, String> e : acked.entrySet()) {
                    String now = viaIndex.get(e.getKey());
                    assertThat(now).as(rerun + ": " + e.getKey()).isNotNull();
                    // values of a key only grow: the acknowledged one, or one begun after it
                    assertThat(now.compareTo(e.getValue())).as(rerun + ": " + e.getKey()).isGreaterThanOrEqualTo(0);
                    if (!now.equals(e.getValue())) {
                        assertThat(now).as(rerun + ": " + e.getKey()).isEqualTo(begun.get(e.getKey()));
                    }
                }
                acked.putAll(filter(viaIndex));
                Files.deleteIfExists(IndexHint.pathOf(log));
                assertThat(open(log)).as(rerun + ": full scan equals the open from the index file")
                        .isEqualTo(viaIndex);
            }
        }
        assertThat(shrinks).as("shrinks completed before kills").isPositive();
        assertThat(fromIndex).as("reopens that used an index file a shrink or a close left").isPositive();
    }

    private boolean lastOpenFromIndex;

    /** Keys written by the writers (not the bulk), with their values. */
    private static Map<String, String> filter(Map<String, String> all) {
        Map<String, String> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("t")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Opens the log, reads every value back from disk (memory empty), closes (which writes an index file). */
    private Map<String, String> open(Path log) {
        ConcurrentHashMap<String, String> front = new ConcurrentHashMap<>();
        try (Store store = Store.open(log, DiskCrashChild.options())) {
            lastOpenFromIndex = store.openedFromIndex();
            PersistMap<String, String> d = store.map(DiskCrashChild.config(front));
            Map<String, String> out = new HashMap<>();
            for (var it = d.keys(); it.hasNext(); ) {
                String k = it.next();
                out.put(k, d.peek(k));
            }
            assertThat(store.stats().damagedReads()).isZero();
            assertThat(out.values()).doesNotContainNull();
            return out;
        }
    }
}
