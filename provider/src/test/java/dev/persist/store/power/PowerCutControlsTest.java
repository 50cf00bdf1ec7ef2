package dev.persist.store.power;

import dev.persist.store.log.RecordFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Negative controls of the power-cut checker: the same workloads as {@link PowerCutTest}, on a file system that lies
 * to the store (it drops an fsync the store asked for, exactly as a store that skipped it), or with disks that bring
 * back an old record. Each must fail the checker; a checker that passes them proves nothing. No hook in main code:
 * the lies are file systems and images.
 */
class PowerCutControlsTest {
    private static final int PER_POSITION = 4;

    /** Keys written before the workload's store starts: the shrink workloads shrink a log that holds some. */
    private static final int SHRINK_SEED_KEYS = 12;

    private static PowerCuts.Result run(String name, LyingFileSystem.Lie lie, int seedKeys,
                                        Consumer<Workload> workload,
                                        UnaryOperator<Map<String, byte[]>> imageFault) {
        try (Workload w = Workload.create("control-" + name)) {
            if (seedKeys > 0) {
                PowerCutTest.seed(w, seedKeys);
            }
            w.start(lie == null ? UnaryOperator.identity() : fs -> new LyingFileSystem(fs, lie, Workload.LOG));
            workload.accept(w);
            PowerCuts cuts = new PowerCuts(w.history, w.scratch()).imageFault(imageFault);
            PowerCuts.Result r = cuts.run(cuts.everyPosition(), PER_POSITION, PowerCutTest.SEED);
            System.out.println("control " + name + ": " + r.failures.size() + " of " + r.images + " images failed"
                    + (r.failures.isEmpty() ? "" : ", first: " + r.failures.get(0)));
            return r;
        }
    }

    private static void createAppendAndClose(Workload w) {
        PowerCutTest.createAppendAndClose(w);
    }

    private static void shrinkSmall(Workload w) {
        PowerCutTest.shrinkSmall(w);
    }

    @Test
    void aStoreWhoseFsyncDoesNothingFails() {
        // FSYNC acknowledged before (without) the fsync
        PowerCuts.Result r = run("no-fsync", LyingFileSystem.Lie.FILE_FSYNC, 0,
                PowerCutControlsTest::createAppendAndClose,
                UnaryOperator.identity());
        assertThat(r.failures).isNotEmpty();
        assertThat(String.join("\n", r.failures)).contains("at FSYNC");
    }

    @Test
    void aStoreThatSkipsTheDirectoryFsyncAfterCreatingTheLogFails() {
        PowerCuts.Result r = run("no-dirsync-create", LyingFileSystem.Lie.DIR_FSYNC_AFTER_CREATE, 0,
                PowerCutControlsTest::createAppendAndClose, UnaryOperator.identity());
        assertThat(r.failures).isNotEmpty();
        // the images that lose the log's name altogether: the store then creates an empty log
        assertThat(String.join("\n", r.failures)).contains("holds nothing");
    }

    @Test
    void aStoreThatSkipsTheDirectoryFsyncAfterCreatingASegmentFails() {
        PowerCuts.Result r = run("no-dirsync-segment", LyingFileSystem.Lie.DIR_FSYNC_AFTER_SEGMENT_CREATE,
                SHRINK_SEED_KEYS, PowerCutControlsTest::shrinkSmall, UnaryOperator.identity());
        assertThat(r.failures).isNotEmpty();
        // the new segment is lost with its name: values acknowledged in it are missing
        assertThat(String.join("\n", r.failures)).contains("durable: [op");
    }

    @Test
    void aStoreThatDeletesRetiredSegmentsBeforeTheirCopiesAreDurableFails() {
        PowerCuts.Result r = run("segment-fsync", LyingFileSystem.Lie.SEGMENT_FSYNC, SHRINK_SEED_KEYS,
                PowerCutControlsTest::shrinkSmall, UnaryOperator.identity());
        assertThat(r.failures).isNotEmpty();
        // a seeded key the workload never touches lives only in the copies once its old segment is gone
        assertThat(String.join("\n", r.failures)).containsPattern("key k(7|8|9|10|11) holds nothing");
    }

    @Test
    void aDiskThatBringsBackAnOldRecordFails() {
        // the checker's other half: a value that was never the latest of its key at the cut (a2 was acknowledged at
        // FSYNC after a1) is caught, not only a missing one
        byte[] stale = RecordFormat.encodeSet(PowerCuts.NAMESPACE.getBytes(StandardCharsets.UTF_8),
                "a".getBytes(StandardCharsets.UTF_8), "a1".getBytes(StandardCharsets.UTF_8));
        PowerCuts.Result r = run("stale-record", null, 0, PowerCutControlsTest::createAppendAndClose, image -> {
            Map<String, byte[]> changed = new TreeMap<>(image);
            byte[] log = image.get(Workload.LOG);
            if (log != null && log.length > RecordFormat.HEADER_SIZE) {
                byte[] more = Arrays.copyOf(log, log.length + stale.length);
                System.arraycopy(stale, 0, more, log.length, stale.length);
                changed.put(Workload.LOG, more);
            }
            return changed;
        });
        assertThat(r.failures).isNotEmpty();
        assertThat(String.join("\n", r.failures)).contains("key a holds 'a1', expected one of [a2]");
    }

    @Test
    void theSameWorkloadsOnAnHonestFileSystemPass() {
        // the controls fail because of the lie, not because of the workload or the checker
        assertThat(run("honest-create", null, 0, PowerCutControlsTest::createAppendAndClose, UnaryOperator.identity())
                .failures).isEmpty();
        assertThat(run("honest-shrink", null, SHRINK_SEED_KEYS,
                PowerCutControlsTest::shrinkSmall, UnaryOperator.identity()).failures)
                .isEmpty();
    }
}
