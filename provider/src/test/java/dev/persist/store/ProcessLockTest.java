package dev.persist.store;

import dev.persist.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's file lock against another process, and its release when that process is killed with SIGKILL. */
class ProcessLockTest {
    @TempDir
    Path dir;

    @Test
    void anotherProcessHoldingTheLogLocksUsOutUntilItIsKilled() throws Exception {
        Path log = dir.resolve("locked.log").toAbsolutePath().normalize();
        long childPid;
        try (ChildJvm child = ChildJvm.start(dir, LockChild.class, log.toString(), "HOLD")) {
            child.awaitLine("READY", 60_000);
            childPid = child.process().pid();
            assertThatThrownBy(() -> Store.open(log))
                    .isExactlyInstanceOf(StoreLockedException.class)
                    .hasMessageContaining(log.toString())
                    .hasMessageContaining("another process")
                    .satisfies(e -> assertThat(((StoreLockedException) e).file()).isEqualTo(log));
            // refused twice in a row: a failed attempt leaves nothing behind that would change the answer
            assertThatThrownBy(() -> Store.open(log)).isExactlyInstanceOf(StoreLockedException.class);
            assertThat(child.process().isAlive()).as("the holder is untouched by our attempts").isTrue();
            child.kill(); // SIGKILL: no close(), no shutdown hook
            assertThat(child.process().exitValue()).isEqualTo(137);
        }

        try (Store store = Store.open(log)) {
            PersistMap<String, Long> held = store.map("held", Codecs.utf8(), Codecs.json(Long.class));
            assertThat(held.get("pid")).as("what the killed holder wrote at FSYNC").isEqualTo(childPid);

            // and now the other way round: we hold it, another process is refused
            try (ChildJvm other = ChildJvm.start(dir, LockChild.class, log.toString(), "TRY")) {
                String line = other.awaitLine("LOCKED", 60_000);
                assertThat(line).contains(log.toString());
                assertThat(other.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(other.process().exitValue()).isEqualTo(3);
            }
        }

        // released at close: another process opens it
        try (ChildJvm other = ChildJvm.start(dir, LockChild.class, log.toString(), "TRY")) {
            other.awaitLine("OPENED", 60_000);
            assertThat(other.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(other.process().exitValue()).isZero();
        }
    }
}
