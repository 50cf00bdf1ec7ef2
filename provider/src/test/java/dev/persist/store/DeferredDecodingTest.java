package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deferred decoding owned by the store ({@link DeferredCodec}): values adopted from the log stay raw until the
 * background pass or a read settles them, and a value that does not decode is dropped in one place: gone from
 * memory, a delete logged (so no restart meets it again), counted once.
 */
class DeferredDecodingTest {
    @TempDir
    Path dir;

    /** A raw value read back from the log, not yet decoded. */
    record Raw(byte[] bytes) {
    }

    /** Strings, decoded late; the bytes "bad" do not decode, "error" throw an Error while decoding. */
    static final class LateStrings implements DeferredCodec<Object> {
        @Override
        public byte[] encode(Object value) {
            return value instanceof Raw r ? r.bytes() : ((String) value).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Object decode(byte[] bytes) {
            return new Raw(bytes);
        }

        @Override
        public boolean isSettled(Object value) {
            return !(value instanceof Raw);
        }

        @Override
        public Object settle(Object value) {
            String s = new String(((Raw) value).bytes(), StandardCharsets.UTF_8);
            if (s.equals("bad")) {
                throw new IllegalArgumentException("does not decode");
            }
            if (s.equals("error")) {
                throw new StackOverflowError("a hostile value");
            }
            return s;
        }
    }

    /** Holds the settling passes until run. */
    static final class Held implements Executor {
        final List<Runnable> tasks = new CopyOnWriteArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            tasks.forEach(Runnable::run);
            tasks.clear();
        }
    }

    private Path writeLog(String... keysAndValues) {
        Path log = dir.resolve("deferred.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < keysAndValues.length; i += 2) {
                m.set(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return log;
    }

    @Test
    void aReadSettlesOneValueAndAnUndecodableOneIsDroppedCountedAndDeletedOnce() throws Exception {
        Path log = writeLog("good", "1", "bad", "bad", "error", "error");
        Held held = new Held();
        try (Store store = Store.open(log, StoreOptions.defaults().settlingExecutor(held))) {
            PersistMap<String, Object> m = store.map("m", Codecs.utf8(), new LateStrings());
            assertThat(m.awaitSettled(0, TimeUnit.MILLISECONDS)).as("the pass is held").isFalse();
            assertThat(m.get("good")).isInstanceOf(Raw.class);

            assertThat(m.settled("good", m.get("good"))).isEqualTo("1");
            assertThat(m.get("good")).as("swapped in memory").isEqualTo("1");
            Object bad = m.get("bad");
            assertThat(m.settled("bad", bad)).isNull();
            assertThat(m.containsKey("bad")).isFalse();
            assertThat(m.settled("bad", bad)).as("already gone: not counted twice").isNull();
            assertThat(m.settled("error", m.get("error"))).as("an Error is contained").isNull();
            assertThat(store.stats().undecodableRecords()).isEqualTo(2);

            held.runAll();
            assertThat(m.awaitSettled(0, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(store.stats().undecodableRecords()).isEqualTo(2);
        }
        try (Store store = Store.open(log)) {
            PersistMap<String, Object> m = store.map("m", Codecs.utf8(), new LateStrings());
            assertThat(m.awaitSettled(30, TimeUnit.SECONDS)).isTrue();
            assertThat(m.size()).as("the drops logged deletes").isEqualTo(1);
            assertThat(store.stats().undecodableRecords()).isZero();
        }
    }

    /** The settling pass often meets a value a read already dropped: the count must never show it twice. */
    @Test
    void aValueAlreadyDroppedIsNeverCountedAgainEvenForAnInstant() throws Exception {
        Path log = writeLog("bad", "bad");
        Held held = new Held();
        try (Store store = Store.open(log, StoreOptions.defaults().settlingExecutor(held))) {
            PersistMap<String, Object> m = store.map("m", Codecs.utf8(), new LateStrings());
            Object bad = m.get("bad");
            assertThat(m.settled("bad", bad)).isNull();
            AtomicBoolean over = new AtomicBoolean();
            Thread secondSettler = new Thread(() -> {
                for (int i = 0; i < 200_000; i++) {
                    m.settled("bad", bad);
                }
                over.set(true);
            });
            secondSettler.start();
            long highest = 0;
            while (!over.get()) {
                highest = Math.max(highest, store.stats().undecodableRecords());
            }
            secondSettler.join();
            assertThat(highest).as("the highest count seen while the value was met again").isEqualTo(1);
        }
    }

    @Test
    void theBackgroundPassSettlesEveryValueAndAPutMeanwhileWins() throws Exception {
        Path log = writeLog("a", "1", "b", "2", "bad", "bad");
        Held held = new Held();
        try (Store store = Store.open(log, StoreOptions.defaults().settlingExecutor(held))) {
            PersistMap<String, Object> m = store.map("m", Codecs.utf8(), new LateStrings());
            Object oldA = m.get("a");
            m.set("a", "new");
            assertThat(m.settled("a", oldA)).as("the caller gets the old value settled").isEqualTo("1");
            assertThat(m.get("a")).as("but the put stays").isEqualTo("new");
            held.runAll();
            assertThat(m.get("b")).isEqualTo("2");
            assertThat(m.containsKey("bad")).isFalse();
            assertThat(m.size()).isEqualTo(2);
        }
    }

    @Test
    void closingBeforeThePassStartsMeansItNeverRunsAndEveryEntryStays() throws Exception {
        Path log = writeLog("a", "1", "b", "2");
        Held held = new Held();
        try (Store store = Store.open(log, StoreOptions.defaults().settlingExecutor(held))) {
            PersistMap<String, Object> m = store.map("m", Codecs.utf8(), new LateStrings());
            m.close();
            assertThat(m.awaitSettled(0, TimeUnit.MILLISECONDS)).isTrue();
            held.runAll(); // too late: it does nothing
            PersistMap<String, String> again = store.map("m", Codecs.utf8(), Codecs.utf8());
            assertThat(again.get("a")).isEqualTo("1");
            assertThat(again.get("b")).isEqualTo("2");
        }
    }

    @Test
    void aCodecThatDoesNotDeferIsNeverSettled() {
        Path log = writeLog("a", "1");
        try (Store store = Store.open(log)) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            assertThat(m.settled("a", "1")).isEqualTo("1");
            assertThat(m.settled("a", null)).isNull();
        }
    }
}
