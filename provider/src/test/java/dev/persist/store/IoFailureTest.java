package dev.persist.store;

import dev.persist.testkit.FaultyChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Disk full, fsync failure and interrupts, injected through the channel factory. */
class IoFailureTest {
    @TempDir
    Path dir;

    private final AtomicBoolean failWrites = new AtomicBoolean();
    private final AtomicBoolean failForce = new AtomicBoolean();
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();

    private StoreOptions faulty() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1))
                .channelFactory(FaultyChannel.factory(failWrites, failForce))
                .errorHandler(reported::add);
    }

    @Test
    void diskFullFailsTheCallRefusesLaterWritesAndReopenRecoversWhatWasDurable() {
        Path log = dir.resolve("full.log");
        Store store = Store.open(log, faulty());
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        m.set("kept", "1", Durability.FSYNC);
        m.set("kept2", "2", Durability.WRITE);
        failWrites.set(true);
        assertThatThrownBy(() -> m.set("lost", "3", Durability.WRITE))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining(log.toString())
                .hasRootCauseMessage("No space left on device");
        failWrites.set(false); // even with space again, the store stays failed until reopened
        assertThatThrownBy(() -> m.set("later", "4", Durability.WRITE))
                .isInstanceOf(StoreFailedException.class).hasMessageContaining("reopen");
        assertThatThrownBy(() -> m.set("later", "4", Durability.ASYNC)).isInstanceOf(StoreFailedException.class);
        assertThatThrownBy(store::shrink).isInstanceOf(StoreFailedException.class);
        assertThat(store.stats().failure()).isNotNull();
        assertThat(reported).hasSize(1);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);

        try (Store reopened = Store.open(log)) {
            PersistMap<String, String> r = reopened.map("m", Codecs.utf8(), Codecs.utf8());
            assertThat(r.get("kept")).isEqualTo("1");
            assertThat(r.get("kept2")).isEqualTo("2");
            assertThat(r.get("later")).isNull();
        }
    }

    @Test
    void fsyncFailureFailsTheCallAndTheStore() {
        Path log = dir.resolve("fsync.log");
        Store store = Store.open(log, faulty());
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        m.set("kept", "1", Durability.FSYNC);
        failForce.set(true);
        assertThatThrownBy(() -> m.set("k", "2", Durability.FSYNC))
                .isInstanceOf(StoreFailedException.class).hasMessageContaining("fsync");
        failForce.set(false);
        assertThatThrownBy(() -> m.set("k", "3", Durability.WRITE)).isInstanceOf(StoreFailedException.class);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);
        try (Store reopened = Store.open(log)) {
            assertThat(reopened.map("m", Codecs.utf8(), Codecs.utf8()).get("kept")).isEqualTo("1");
        }
    }

    /**
     * A shrink copies live records forward as appends to the log, so a full disk during the copy is a failed write
     * of the log like any other: the store fails. Nothing is lost: no retired segment is touched before the copies
     * are fsynced, and the reopened log replays to the state before.
     */
    @Test
    void diskFullDuringShrinkFailsTheStoreAndTheLogReopensWithEverything() throws Exception {
        Path log = dir.resolve("shrink.log");
        AtomicBoolean failSegmentWrites = new AtomicBoolean();
        StoreOptions opts = StoreOptions.defaults().channelFactory((path, options) -> {
            java.nio.channels.FileChannel real = java.nio.channels.FileChannel.open(path, options);
            return path.getFileName().toString().endsWith(".000001")
                    ? new FaultyChannel(real, failSegmentWrites, new AtomicBoolean()) : real;
        });
        Store store = Store.open(log, opts);
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        for (int i = 0; i < 100; i++) {
            m.set("k" + (i % 10), "v" + i);
        }
        m.set("after", "ok", Durability.FSYNC);
        byte[] before = Files.readAllBytes(log);
        failSegmentWrites.set(true);
        assertThatThrownBy(store::shrink).isInstanceOf(StoreFailedException.class);
        assertThat(Files.readAllBytes(log)).as("segment 0 is retired only after the copies are fsynced")
                .isEqualTo(before);
        assertThatThrownBy(() -> m.set("k", "x", Durability.WRITE)).isInstanceOf(StoreFailedException.class);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);
        try (Store reopened = Store.open(log)) {
            PersistMap<String, String> again = reopened.map("m", Codecs.utf8(), Codecs.utf8());
            assertThat(again.get("k9")).isEqualTo("v99");
            assertThat(again.get("after")).isEqualTo("ok");
            reopened.shrink();
            assertThat(reopened.stats().logRecords()).isEqualTo(11);
        }
    }

    @Test
    void diskFullDuringCloseIsReportedAndNothingDurableIsLost() {
        Path log = dir.resolve("close.log");
        Store store = Store.open(log, faulty());
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        m.set("durable", "1", Durability.FSYNC);
        m.set("pending", "2", Durability.ASYNC);
        failWrites.set(true);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);
        assertThat(store.isOpen()).isFalse();
        try (Store reopened = Store.open(log)) {
            assertThat(reopened.map("m", Codecs.utf8(), Codecs.utf8()).get("durable")).isEqualTo("1");
        }
    }

    @Test
    void anInterruptedWriterDoesNotBreakTheStore() throws Exception {
        Path log = dir.resolve("interrupt.log");
        try (Store store = Store.open(log, StoreOptions.defaults().syncInterval(Duration.ofHours(1)))) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            // the writer only records what it saw; the assertions are made here, on the test's thread (an assertion
            // failing inside another thread would end that thread and pass the test)
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<List<Integer>> lostInterrupts;
            try {
                lostInterrupts = pool.submit(() -> {
                    List<Integer> lost = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        Thread.currentThread().interrupt(); // as a cancelled task's thread would be
                        m.set("k" + i, i, (i & 1) == 0 ? Durability.WRITE : Durability.FSYNC);
                        if (!Thread.interrupted()) {
                            lost.add(i);
                        }
                    }
                    return lost;
                });
                // a set that threw fails here, as the ExecutionException's cause
                assertThat(lostInterrupts.get(60, TimeUnit.SECONDS))
                        .as("calls after which the caller's interrupt status was gone").isEmpty();
            } finally {
                pool.shutdownNow();
            }
            assertThat(store.stats().failure()).isNull();
            m.set("last", 1, Durability.FSYNC);
        }
        try (Store store = Store.open(log)) {
            assertThat(store.map("m", Codecs.utf8(), Codecs.json(Integer.class)).size()).isEqualTo(2001);
        }
    }

    @Test
    void directoryThatCannotBeCreatedGivesAClearError() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        Path log = file.resolve("sub/store.log"); // parent is a regular file
        assertThatThrownBy(() -> Store.open(log))
                .isInstanceOf(StoreException.class).hasMessageContaining(log.getParent().toString());
    }

    @Test
    void permissionDeniedAtOpenGivesAClearErrorAndReleasesTheLock() {
        Path log = dir.resolve("denied.log");
        StoreOptions denied = StoreOptions.defaults().channelFactory((path, options) -> {
            // root ignores file modes, so the refusal a non-root user would get is injected
            throw new java.nio.file.AccessDeniedException(path.toString());
        });
        assertThatThrownBy(() -> Store.open(log, denied))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(log.toString())
                .hasMessageContaining("AccessDeniedException");
        Store.open(log).close(); // the failed open left no lock behind
    }

    @Test
    void storeFilesAreReadableByTheOwnerOnly() throws Exception {
        Path log = dir.resolve("perm.log");
        Store.open(log).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
    }
}
