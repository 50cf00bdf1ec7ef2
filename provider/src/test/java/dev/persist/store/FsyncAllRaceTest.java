package dev.persist.store;

import dev.persist.store.log.LogWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Store#fsyncAll()} and {@link PersistMap#sync()} racing the background syncer: each must cover every ASYNC
 * change made before it, including one the syncer is handling at that very moment.
 *
 * <p>Regression test. The syncer's {@code appendDirty} used to remove a key from the dirty set and only then append
 * its record; an fsyncAll() in that window no longer saw the key and synced without the record (so an ASYNC write
 * acknowledged before fsyncAll() could be lost by a crash after it returned). And sync() waited only for the
 * records it had appended itself, not for those a concurrent syncer had taken. The window is a few instructions
 * wide: a thread hammering the append lock widens it, and each test runs a couple of thousand rounds. It is
 * probabilistic: against the old code it failed in most runs, not all; it never fails against correct code.
 */
class FsyncAllRaceTest {
    @TempDir
    Path dir;

    @Test
    void fsyncAllCoversEveryAsyncChangeMadeBeforeIt() {
        race(true);
    }

    @Test
    void syncWritesEveryAsyncChangeMadeBeforeIt() {
        race(false);
    }

    private void race(boolean fsyncAll) {
        StoreOptions options = StoreOptions.defaults().syncInterval(Duration.ofNanos(1000)); // the syncer never rests
        try (Store store = Store.open(dir.resolve("race.log"), options)) {
            PersistMap<String, Long> m = store.map("m", Codecs.utf8(), Codecs.json(Long.class));
            LogWriter w = store.writer();
            AtomicBoolean stop = new AtomicBoolean();
            Thread contender = new Thread(() -> {
                while (!stop.get()) {
                    w.position(); // takes the append lock over and over: widens the syncer's window
                }
            });
            contender.setDaemon(true);
            contender.start();
            long base = w.position()[1];
            long end = System.nanoTime() + 2_000_000_000L;
            int misses = 0;
            int i = 0;
            try {
                for (; System.nanoTime() < end; i++) {
                    m.set("k", (long) i, Durability.ASYNC);
                    if (fsyncAll) {
                        store.fsyncAll();
                    } else {
                        m.sync();
                    }
                    long done = fsyncAll ? w.syncedLsn() : w.writtenLsn();
                    long[] pos = w.position();
                    // each set's record is appended once (the next set comes after this call), so by now there are
                    // base + i + 1 records, all written (synced); one appended later is one the call did not cover
                    if (pos[1] < base + i + 1 || pos[0] > done) {
                        misses++;
                    }
                }
            } finally {
                stop.set(true);
            }
            assertThat(misses).as("of %d rounds, calls that returned before an earlier ASYNC change was %s", i,
                    fsyncAll ? "synced" : "written").isZero();
        }
    }
}
