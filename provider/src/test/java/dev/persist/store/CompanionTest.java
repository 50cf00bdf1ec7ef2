package dev.persist.store;

import dev.persist.testkit.RecordingChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Companion changes of an update ({@link Update#setIn}): logged with the key's record, before it, at its tier. */
class CompanionTest {
    @TempDir
    Path dir;

    private static List<String> records(Path log) throws IOException {
        List<String> out = new ArrayList<>();
        LogFiles.read(log, r -> out.add(r.namespace() + ":" + new String(r.key(), StandardCharsets.UTF_8)
                + (r.delete() ? " delete" : " " + new String(r.value(), StandardCharsets.UTF_8))));
        return out;
    }

    private static PersistMap<String, String> strings(Store store, String name) {
        return store.map(name, Codecs.utf8(), Codecs.utf8());
    }

    @Test
    void aCompanionRecordIsLoggedJustBeforeTheKeysOwnAtEachTier() throws IOException {
        Path log = dir.resolve("c.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            main.update("w", u -> {
                u.set("1");
                u.setIn(side, "owed-1");
            }, Durability.WRITE);
            assertThat(records(log)).containsExactly("side:w owed-1", "main:w 1");
            main.update("f", u -> {
                u.delete();
                u.setIn(side, "owed-f");
            }, Durability.FSYNC);
            // the key was absent: its own delete changes nothing, the companion record is logged alone
            assertThat(records(log)).endsWith("main:w 1", "side:f owed-f");
            for (int i = 0; i < 5; i++) {
                int n = i;
                main.update("a", u -> {
                    u.set("v" + n);
                    u.setIn(side, "owed-a" + n);
                }, Durability.ASYNC);
            }
            assertThat(records(log)).hasSize(3);
            main.sync();
            // coalesced: the latest of each, the companion first
            assertThat(records(log)).endsWith("side:a owed-a4", "main:a v4");
            main.update("w", u -> u.deleteIn(side), Durability.WRITE);
            assertThat(records(log)).endsWith("side:w delete");
            assertThat(side.get("w")).isNull();
            assertThat(side.get("a")).isEqualTo("owed-a4");
        }
        try (Store store = Store.open(log)) {
            PersistMap<String, String> side = strings(store, "side");
            PersistMap<String, String> main = strings(store, "main");
            assertThat(side.get("a")).isEqualTo("owed-a4");
            assertThat(side.get("f")).isEqualTo("owed-f");
            assertThat(side.get("w")).isNull();
            assertThat(main.get("w")).isEqualTo("1");
        }
    }

    /**
     * A companion record and its key's own record reach the file in the same write: written apart, a kill between
     * the two writes kept the first without the second (write-behind then delivered a state the cache never held).
     * Writers of other keys force group-commit writes between any two appends of one thread.
     */
    @Test
    void aCompanionRecordAndItsKeysOwnReachTheFileInOneWrite() throws Exception {
        Path log = dir.resolve("pairs.log");
        RecordingChannel.Recorder io = new RecordingChannel.Recorder();
        StoreOptions options = StoreOptions.defaults().channelFactory(io.factory());
        int threads = 4;
        int updates = 5_000;
        try (Store store = Store.open(log, options)) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t + "-";
                workers.add(new Thread(() -> {
                    for (int i = 0; i < updates; i++) {
                        String key = prefix + (i % 7);
                        String value = String.valueOf(i);
                        if (i % 2 == 0) {
                            main.update(key, u -> {
                                u.set(value);
                                u.setIn(side, "owed-" + value);
                            }, Durability.WRITE);
                        } else {
                            main.set(key, value, Durability.WRITE); // alone: a write may start at any time
                        }
                    }
                }));
            }
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join();
            }
        }
        Path logFile = log.toAbsolutePath().normalize();
        Set<Long> writeEnds = new HashSet<>();
        for (RecordingChannel.Event e : io.events()) {
            if (e instanceof RecordingChannel.Write w && w.file().equals(logFile)) {
                writeEnds.add(w.position() + w.length());
            }
        }
        List<LogFiles.LogRecord> records = new ArrayList<>();
        LogFiles.read(log, records::add);
        int pairs = 0;
        for (int i = 0; i < records.size(); i++) {
            LogFiles.LogRecord r = records.get(i);
            if (!r.namespace().equals("side")) {
                continue;
            }
            LogFiles.LogRecord next = records.get(i + 1);
            assertThat(next.namespace() + ":" + new String(next.key(), StandardCharsets.UTF_8))
                    .as("the record after side:%s", new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo("main:" + new String(r.key(), StandardCharsets.UTF_8));
            assertThat(writeEnds).as("a write ended between side:%s and its key's own record",
                    new String(r.key(), StandardCharsets.UTF_8)).doesNotContain(r.offset() + r.size());
            pairs++;
        }
        assertThat(pairs).isEqualTo(threads * updates / 2);
    }

    @Test
    void aPendingAsyncCompanionRecordIsNotDroppedByALaterChangeOfTheKeyAtAnotherTier() throws IOException {
        Path log = dir.resolve("c.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            main.update("k", u -> {
                u.set("1");
                u.setIn(side, "owed");
            }, Durability.ASYNC);
            main.delete("k", Durability.WRITE); // no companion change: the pending one must still be logged
            assertThat(records(log)).containsExactly("side:k owed", "main:k delete");
            main.update("k", u -> {
                u.set("2");
                u.setIn(side, "owed-2");
            }, Durability.ASYNC);
            main.update("k", u -> u.setIn(side, "owed-3"), Durability.WRITE); // keeps the pending own record
            assertThat(records(log)).endsWith("main:k delete", "side:k owed-3", "main:k 2");
        }
    }

    @Test
    void anUpdaterThatThrowsChangesNeitherMap() {
        try (Store store = Store.open(dir.resolve("c.log"))) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            assertThatThrownBy(() -> main.update("k", u -> {
                u.set("1");
                u.setIn(side, "owed");
                throw new IllegalStateException("no");
            }, Durability.WRITE)).hasMessage("no");
            assertThat(main.get("k")).isNull();
            assertThat(side.get("k")).isNull();
        }
    }

    @Test
    void aCompanionMustBeAnotherMapOfTheStoreAndCannotHaveOneItself() {
        try (Store store = Store.open(dir.resolve("c.log")); Store other = Store.open(dir.resolve("d.log"))) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            PersistMap<String, String> elsewhere = strings(other, "side");
            assertThatThrownBy(() -> main.update("k", u -> u.setIn(main, "x"), Durability.WRITE))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> main.update("k", u -> u.setIn(elsewhere, "x"), Durability.WRITE))
                    .isInstanceOf(IllegalArgumentException.class);
            main.update("k", u -> u.setIn(side, "x"), Durability.WRITE);
            assertThatThrownBy(() -> side.update("k", u -> u.setIn(main, "x"), Durability.WRITE))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(main.get("k")).isNull();
        }
    }

    @Test
    void aShrinkKeepsCompanionRecords() {
        Path log = dir.resolve("c.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            for (int i = 0; i < 10; i++) {
                int n = i;
                main.update("k", u -> {
                    u.set("v" + n);
                    u.setIn(side, "owed" + n);
                }, Durability.WRITE);
            }
            store.shrink();
            assertThat(store.stats().logRecords()).isEqualTo(2);
        }
        try (Store store = Store.open(log)) {
            assertThat(strings(store, "side").get("k")).isEqualTo("owed9");
        }
    }

    @Test
    void aCompanionRecordAndItsKeysRecordAreNeverInTwoSegments() throws IOException {
        Path log = dir.resolve("roll.log");
        try (Store store = Store.open(log, StoreOptions.defaults().segmentBytes(512))) {
            PersistMap<String, String> main = strings(store, "main");
            PersistMap<String, String> side = strings(store, "side");
            for (int i = 0; i < 200; i++) {
                int n = i;
                main.update("k" + (n % 7), u -> {
                    u.set("value-" + n);
                    u.setIn(side, "owed-" + n);
                }, Durability.WRITE);
            }
        }
        List<LogFiles.LogRecord> all = new ArrayList<>();
        LogFiles.read(log, all::add);
        assertThat(all).hasSize(400);
        assertThat(all.stream().mapToLong(LogFiles.LogRecord::segment).distinct().count())
                .as("segments of 512 bytes").isGreaterThan(10);
        for (int i = 0; i < all.size(); i += 2) {
            LogFiles.LogRecord companion = all.get(i);
            LogFiles.LogRecord own = all.get(i + 1);
            assertThat(companion.namespace() + " " + own.namespace()).isEqualTo("side main");
            assertThat(own.segment()).as("the pair at record %d", i).isEqualTo(companion.segment());
        }
    }
}
