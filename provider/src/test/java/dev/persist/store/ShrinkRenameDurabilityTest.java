package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A shrink's rename of the new log over the old one is durable only once the directory is fsynced; until then a
 * power cut may leave the old name with the old file. No FSYNC call may return in between for a record the old file
 * does not durably hold. The power-cut simulation found that calls begun after the rename returned before the
 * directory fsync (their records were in the new file only): the shrink switched appends to the new file first.
 */
class ShrinkRenameDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void noFsyncCallBegunAfterTheRenameReturnsBeforeTheDirectoryFsync() throws Exception {
        AtomicLong clock = new AtomicLong();
        AtomicLong renamedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong latestReturnBegunAt = new AtomicLong(-1);
        AtomicInteger violations = new AtomicInteger();
        // a slow directory fsync after each rename: it waits (at most 30 ms) for an FSYNC call begun after the rename
        // to return, which would be a call acknowledged while the rename may still be lost
        StoreFileSystem slowDirectory = new ForwardingFileSystem(StoreFileSystem.local()) {
            @Override
            public void moveReplacing(Path source, Path target) throws IOException {
                delegate.moveReplacing(source, target);
                renamedAt.set(clock.incrementAndGet());
            }

            @Override
            public void fsyncDirectory(Path d) throws IOException {
                long renamed = renamedAt.getAndSet(Long.MAX_VALUE);
                if (renamed != Long.MAX_VALUE) {
                    long deadline = System.nanoTime() + 30_000_000L;
                    while (System.nanoTime() < deadline && latestReturnBegunAt.get() < renamed) {
                        LockSupport.parkNanos(100_000);
                    }
                    if (latestReturnBegunAt.get() > renamed) {
                        violations.incrementAndGet();
                    }
                }
                delegate.fsyncDirectory(d);
            }
        };
        try (Store store = Store.open(dir.resolve("s.log"), StoreOptions.defaults().fileSystem(slowDirectory)
                .syncInterval(Duration.ofHours(1)))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !done.get(); i++) {
                        long began = clock.incrementAndGet();
                        m.set("k" + i % 5, "v" + i, Durability.FSYNC);
                        latestReturnBegunAt.accumulateAndGet(began, Math::max);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            writer.start();
            for (int i = 0; i < 8; i++) {
                store.shrink();
                LockSupport.parkNanos(1_000_000);
            }
            done.set(true);
            writer.join();
            assertThat(failure.get()).isNull();
        }
        assertThat(violations.get()).as("shrinks whose directory fsync an FSYNC call begun after the rename beat")
                .isZero();
    }

    /**
     * After the rename the old log is unlinked, so any failure there, an unchecked one from a user's
     * {@link ForwardingFileSystem} included, must stop writes: appends going on would land in a file no name holds.
     * Only an {@link IOException} from the directory fsync did; an unchecked one was reported as "the log is
     * unchanged" and writes went on.
     */
    @Test
    void anUncheckedFailureAfterTheRenameStopsWrites() throws Exception {
        AtomicBoolean renamed = new AtomicBoolean();
        StoreFileSystem throwing = new ForwardingFileSystem(StoreFileSystem.local()) {
            @Override
            public void moveReplacing(Path source, Path target) throws IOException {
                delegate.moveReplacing(source, target);
                renamed.set(true);
            }

            @Override
            public void fsyncDirectory(Path d) throws IOException {
                if (renamed.get()) {
                    throw new IllegalStateException("directory fsync refused");
                }
                delegate.fsyncDirectory(d);
            }
        };
        try (Store store = Store.open(dir.resolve("s.log"), StoreOptions.defaults().fileSystem(throwing))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            m.set("a", "1", Durability.FSYNC);
            assertThatThrownBy(store::shrink).isInstanceOf(StoreFailedException.class);
            assertThat(renamed.get()).isTrue();
            assertThatThrownBy(() -> m.set("b", "2", Durability.WRITE)).isInstanceOf(StoreFailedException.class);
        } catch (StoreException closeFailure) {
            // closing a failed store may report the failure again
        }
    }
}
