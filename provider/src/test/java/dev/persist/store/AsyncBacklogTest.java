package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ASYNC changes wait in memory for the syncer only up to {@link StoreOptions#asyncBacklogBytes}: past it a change is
 * appended and written before its call returns, so a writer that outpaces the syncer cannot fill the heap.
 */
class AsyncBacklogTest {
    private static final int BACKLOG = 10_000;
    private static final int VALUE_BYTES = 1_000;
    private static final int PUTS = 100;

    @TempDir
    Path dir;

    private static final String VALUE = "v".repeat(VALUE_BYTES);

    /** A syncer that never runs during the test: only the bound moves records to the log. */
    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).asyncBacklogBytes(BACKLOG)
                .diskNamespaces(ns -> ns.equals("d"));
    }

    @Test
    void asyncPutsPastTheBacklogAreWrittenBeforeTheyReturn() {
        try (Store store = Store.open(dir.resolve("a.log"), options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("m", Codecs.utf8(), Codecs.utf8()));
            long before = bytesOnDisk();
            for (int i = 0; i < PUTS; i++) {
                m.set("k" + i, VALUE, Durability.ASYNC);
                assertThat(store.asyncBacklogBytes()).as("backlog after put %d", i)
                        .isLessThanOrEqualTo(BACKLOG + VALUE_BYTES + 200);
            }
            int waiting = m.pendingAsync();
            assertThat(waiting).as("keys waiting for the syncer").isBetween(5, 11);
            assertThat(store.stats().asyncOverflows()).as("puts written at once").isEqualTo(PUTS - waiting);
            assertThat(store.stats().asyncBacklogBytes()).isEqualTo(store.asyncBacklogBytes()).isPositive();
            // every change past the bound is in the file: handed to write(2) before its put returned
            assertThat(bytesOnDisk() - before).isGreaterThanOrEqualTo((long) (PUTS - waiting) * VALUE_BYTES);
        }
        try (Store store = Store.open(dir.resolve("a.log"), options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("m", Codecs.utf8(), Codecs.utf8()));
            assertThat(m.size()).as("every put, at the clean close").isEqualTo(PUTS);
        }
    }

    @Test
    void aDiskMapIsHeldToTheBacklogToo() {
        try (Store store = Store.open(dir.resolve("a.log"), options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).disk(1L << 30));
            for (int i = 0; i < PUTS; i++) {
                m.set("k" + i, VALUE, Durability.ASYNC);
            }
            assertThat(store.asyncBacklogBytes()).isLessThanOrEqualTo(BACKLOG + VALUE_BYTES + 200);
            assertThat(m.pendingAsync()).isBetween(5, 11);
            for (int i = 0; i < PUTS; i++) {
                assertThat(m.get("k" + i)).as("k%d", i).isEqualTo(VALUE);
            }
        }
    }

    @Test
    void theBacklogShrinksAsItsRecordsReachTheLog() {
        try (Store store = Store.open(dir.resolve("a.log"), options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("m", Codecs.utf8(), Codecs.utf8()));
            m.set("a", VALUE, Durability.ASYNC);
            m.set("b", VALUE, Durability.ASYNC);
            long two = store.asyncBacklogBytes();
            assertThat(two).isGreaterThanOrEqualTo(2L * VALUE_BYTES);
            m.set("a", VALUE + "x", Durability.ASYNC); // replaces a's waiting record: counted once
            assertThat(store.asyncBacklogBytes()).isEqualTo(two + 1);
            m.set("a", VALUE, Durability.WRITE); // supersedes a's waiting record
            assertThat(store.asyncBacklogBytes()).isLessThan(two).isGreaterThanOrEqualTo(VALUE_BYTES);
            store.fsyncAll();
            assertThat(store.asyncBacklogBytes()).isZero();
            assertThat(m.pendingAsync()).isZero();
        }
    }

    @Test
    void aSmallChangeCountsTheHeapAroundItsRecord() {
        try (Store store = Store.open(dir.resolve("s.log"), options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("m", Codecs.utf8(), Codecs.utf8()));
            for (int i = 0; i < 1_000; i++) {
                m.set("k" + i, "v", Durability.ASYNC); // records of 15 to 17 bytes
            }
            // 95 to 97 bytes each with the objects around them: 105 fit in the 10,000 bytes, not the 600 or
            // so the records' bytes alone would let wait
            assertThat(m.pendingAsync()).as("keys waiting for the syncer").isBetween(90, 115);
            assertThat(store.asyncBacklogBytes()).isBetween((long) BACKLOG, BACKLOG + 100L);
        }
    }

    @Test
    void aBacklogThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> StoreOptions.defaults().asyncBacklogBytes(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asyncBacklogBytes must be positive, got 0");
        long sixteenthOfHeap = Runtime.getRuntime().maxMemory() / 16;
        assertThat(StoreOptions.defaults().asyncBacklogBytes())
                .isEqualTo(Math.min(StoreOptions.MAX_DEFAULT_ASYNC_BACKLOG_BYTES, sixteenthOfHeap));
    }

    private long bytesOnDisk() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
