package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
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
 * A new segment file's name is durable only once the directory is fsynced; until then a power cut may take the file
 * with every record in it. So no FSYNC call may return for a record in a new segment before that directory fsync.
 * (Before segments, the same held for a shrink's rename of the new log over the old one: the power-cut simulation
 * found calls that returned before it.) And once a shrink has begun deleting retired segments, any failure must stop
 * writes, an unchecked one from a user's {@link ForwardingFileSystem} included.
 */
class SegmentDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void noFsyncCallReturnsForARecordInANewSegmentBeforeTheDirectoryFsync() throws Exception {
        AtomicLong clock = new AtomicLong();
        // per thread: a segment's file is created and its directory fsynced by one call (the roll's), and another
        // thread's directory fsync in between (a shrink's, after its deletes) must not take the creation for its own:
        // it did, and counted the FSYNC calls that returned after the roll's own directory fsync as violations
        ThreadLocal<Long> createdAt = ThreadLocal.withInitial(() -> Long.MAX_VALUE);
        AtomicInteger checked = new AtomicInteger();
        AtomicLong latestReturnBegunAt = new AtomicLong(-1);
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger created = new AtomicInteger();
        // a slow directory fsync after each segment's creation: it waits (at most 30 ms) for an FSYNC call begun
        // after the creation to return, which would be a call acknowledged while the new file may still be lost
        StoreFileSystem slowDirectory = new ForwardingFileSystem(StoreFileSystem.local()) {
            @Override
            public boolean createFile(Path file) throws IOException {
                boolean made = delegate.createFile(file);
                if (file.getFileName().toString().matches(".*\\.[0-9]{6}")) {
                    created.incrementAndGet();
                    createdAt.set(clock.incrementAndGet());
                }
                return made;
            }

            @Override
            public void fsyncDirectory(Path d) throws IOException {
                long at = createdAt.get();
                createdAt.set(Long.MAX_VALUE);
                if (at != Long.MAX_VALUE) {
                    checked.incrementAndGet();
                    long deadline = System.nanoTime() + 30_000_000L;
                    while (System.nanoTime() < deadline && latestReturnBegunAt.get() < at) {
                        LockSupport.parkNanos(100_000);
                    }
                    if (latestReturnBegunAt.get() > at) {
                        violations.incrementAndGet();
                    }
                }
                delegate.fsyncDirectory(d);
            }
        };
        try (Store store = Store.open(dir.resolve("s.log"), StoreOptions.defaults().fileSystem(slowDirectory)
                .syncInterval(Duration.ofHours(1)).segmentBytes(4096))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !done.get(); i++) {
                        long began = clock.incrementAndGet();
                        m.set("k" + i % 5, "v".repeat(200) + i, Durability.FSYNC);
                        latestReturnBegunAt.accumulateAndGet(began, Math::max);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            writer.start();
            // at least 8 shrinks, and until 4 segments were created: a warm JVM ran 8 shrinks before the writer's
            // first record, and the check below then had nothing to look at
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (int i = 0; (i < 8 || created.get() < 4) && System.nanoTime() < deadline; i++) {
                store.shrink();
                LockSupport.parkNanos(1_000_000);
            }
            done.set(true);
            writer.join();
            assertThat(failure.get()).isNull();
        }
        assertThat(created.get()).as("segments created").isGreaterThanOrEqualTo(4);
        assertThat(checked.get()).as("creations followed by a directory fsync in the creating thread")
                .isEqualTo(created.get());
        assertThat(violations.get()).as("new segments whose directory fsync an FSYNC call begun after the creation "
                + "beat").isZero();
    }

    @Test
    void anUncheckedFailureWhileRetiringSegmentsStopsWrites() throws Exception {
        AtomicBoolean deleting = new AtomicBoolean();
        StoreFileSystem throwing = new ForwardingFileSystem(StoreFileSystem.local()) {
            @Override
            public boolean deleteIfExists(Path file) throws IOException {
                if (file.getFileName().toString().matches(".*\\.[0-9]{6}")) {
                    deleting.set(true);
                }
                return delegate.deleteIfExists(file);
            }

            @Override
            public void fsyncDirectory(Path d) throws IOException {
                if (deleting.get()) {
                    throw new IllegalStateException("directory fsync refused");
                }
                delegate.fsyncDirectory(d);
            }
        };
        Path log = dir.resolve("s.log");
        try (Store store = Store.open(log, StoreOptions.defaults().fileSystem(throwing).segmentBytes(4096))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < 100; i++) {
                m.set("k" + i % 10, "v".repeat(100) + i, Durability.WRITE);
            }
            m.set("a", "1", Durability.FSYNC);
            assertThat(LogBytes.numberedSegments(log)).isNotEmpty();
            assertThatThrownBy(store::shrink).isInstanceOf(StoreFailedException.class);
            assertThat(deleting.get()).isTrue();
            assertThatThrownBy(() -> m.set("b", "2", Durability.WRITE)).isInstanceOf(StoreFailedException.class);
        } catch (StoreException closeFailure) {
            // closing a failed store may report the failure again
        }
        try (Store store = Store.open(log)) {
            assertThat(store.map("m", Codecs.utf8(), Codecs.utf8()).get("a")).isEqualTo("1");
            assertThat(Files.exists(log)).isTrue();
        }
    }
}
