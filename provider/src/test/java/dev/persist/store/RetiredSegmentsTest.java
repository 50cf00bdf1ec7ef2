package dev.persist.store;

import dev.persist.store.log.SegmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An automatic shrink keeps the files of the segments it retired, renamed out of the log ({@link RetiredSegments}),
 * and deletes one each time the log starts a segment; an explicit shrink, a close and an open delete them all. A
 * kept file is never part of the log, whatever happens to the store while it is there.
 */
class RetiredSegmentsTest {
    private static final int SEGMENT = 4096;
    private static final String VALUE = "v".repeat(200);

    @TempDir
    Path dir;

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).segmentBytes(SEGMENT)
                .diskNamespaces(ns -> ns.equals("d"));
    }

    private static PersistMap<String, String> diskMap(Store store) {
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(new ConcurrentHashMap<>())
                .disk(1L << 30));
    }

    /** 300 keys overwritten uniformly until the log holds three records per key: an auto-shrink at 3 retires some. */
    private static Map<String, String> overwrite(PersistMap<String, String> d, Random random) {
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            d.set("k" + i, VALUE + i);
            expected.put("k" + i, VALUE + i);
        }
        for (int n = 0; n < 600; n++) {
            int i = random.nextInt(300);
            d.set("k" + i, VALUE + "-" + n);
            expected.put("k" + i, VALUE + "-" + n);
        }
        return expected;
    }

    private static List<Path> retiredFiles(Path log) throws IOException {
        try (Stream<Path> files = Files.list(log.getParent())) {
            return files.filter(p -> p.getFileName().toString().endsWith(RetiredSegments.SUFFIX)).sorted().toList();
        }
    }

    private static Map<String, String> contents(PersistMap<String, String> m) {
        Map<String, String> out = new HashMap<>();
        m.forEach(out::put);
        return out;
    }

    @Test
    void anAutoShrinkKeepsItsRetiredFilesOutOfTheLogAndEachNewSegmentDeletesOne() throws Exception {
        Path log = dir.resolve("a.log");
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = diskMap(store);
            Map<String, String> expected = overwrite(d, new Random(7));
            store.fsyncAll();
            List<Long> before = SegmentFiles.list(StoreFileSystem.local(), log);
            assertThat(store.autoShrink(3.0)).as("bytes copied").isPositive();
            List<Long> after = SegmentFiles.list(StoreFileSystem.local(), log);
            List<Path> kept = retiredFiles(log);
            // every retired segment but segment 0 (emptied in place, as always) is kept under its new name
            long retiredNumbered = before.stream().filter(n -> n > 0 && !after.contains(n)).count();
            assertThat(retiredNumbered).as("numbered segments retired").isGreaterThanOrEqualTo(2);
            assertThat(kept).hasSize((int) retiredNumbered);
            for (Path file : kept) {
                String segmentName = file.getFileName().toString().replace(RetiredSegments.SUFFIX, "");
                long number = Long.parseLong(segmentName.substring(segmentName.lastIndexOf('.') + 1));
                assertThat(after).as("live segments").doesNotContain(number);
                assertThat(Files.size(file)).as("kept whole: its pages are what the next segments reuse")
                        .isGreaterThanOrEqualTo(SEGMENT);
            }
            assertThat(contents(d)).isEqualTo(expected);

            // each segment the log starts deletes the oldest kept file, off the writer's path
            long deadline = System.nanoTime() + 10_000_000_000L;
            int n = 0;
            while (!retiredFiles(log).isEmpty() && System.nanoTime() < deadline) {
                d.set("k" + n % 300, VALUE + "+" + n);
                expected.put("k" + n % 300, VALUE + "+" + n);
                n++;
                if (n == 10) {
                    assertThat(retiredFiles(log)).as("kept until new segments need their pages")
                            .hasSizeGreaterThan(kept.size() - 2);
                }
            }
            assertThat(retiredFiles(log)).as("all deleted once as many segments started").isEmpty();
            assertThat(n).as("records written until then, about a segment each")
                    .isGreaterThanOrEqualTo((kept.size() - 1) * SEGMENT / (VALUE.length() + 40));
            assertThat(contents(d)).isEqualTo(expected);
        }
    }

    @Test
    void retiredFilesLeftByACrashAreNotReplayedAndTheOpenDeletesThem() throws Exception {
        Path log = dir.resolve("a.log");
        Path copyDir = Files.createDirectory(dir.resolve("copy"));
        Map<String, String> expected;
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = diskMap(store);
            expected = overwrite(d, new Random(11));
            store.fsyncAll();
            store.autoShrink(3.0);
            d.set("after", "shrink", Durability.FSYNC);
            expected.put("after", "shrink");
            assertThat(retiredFiles(log)).isNotEmpty();
            // the directory as a crash would leave it now: the kept files still there, the index file too
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    if (!f.getFileName().toString().endsWith(".lock")) {
                        Files.copy(f, copyDir.resolve(f.getFileName()));
                    }
                }
            }
        }
        assertThat(retiredFiles(log)).as("deleted at close").isEmpty();
        Path copy = copyDir.resolve("a.log");
        assertThat(retiredFiles(copy)).isNotEmpty();
        Files.deleteIfExists(dir.resolve("copy/a.log.index")); // and replay every record, not an index file's view
        try (Store store = Store.open(copy, options())) {
            assertThat(retiredFiles(copy)).as("deleted at open").isEmpty();
            assertThat(contents(diskMap(store))).isEqualTo(expected);
        }
    }

    @Test
    void anExplicitShrinkDeletesWhatAnAutoShrinkKept() throws Exception {
        Path log = dir.resolve("a.log");
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> d = diskMap(store);
            Map<String, String> expected = overwrite(d, new Random(3));
            store.fsyncAll();
            store.autoShrink(3.0);
            assertThat(retiredFiles(log)).isNotEmpty();
            store.shrink();
            assertThat(retiredFiles(log)).as("an operator who shrinks wants the space back").isEmpty();
            assertThat(contents(d)).isEqualTo(expected);
        }
    }
}
