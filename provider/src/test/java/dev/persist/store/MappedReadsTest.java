package dev.persist.store;

import dev.persist.store.log.SegmentFiles;
import dev.persist.testkit.ForwardingChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A disk-resident entry whose record is in a sealed segment is read through the segment's mapping, not with a
 * system call; the mapping is released as soon as the segment is retired or the store closed (a deleted file's
 * space is freed only once nothing maps it), never while a read copies from it; and a mapped file cut short by
 * something outside the store is met as a damaged record, as a positional read meets it.
 */
class MappedReadsTest {
    private static final int KEYS = 300;

    @TempDir
    Path dir;

    /** Counts the positional reads of the log's files, the system call a mapped read saves. */
    static class CountingFileSystem extends ForwardingFileSystem {
        final AtomicLong positionalReads = new AtomicLong();

        CountingFileSystem() {
            super(StoreFileSystem.local());
        }

        @Override
        public FileChannel open(Path path, OpenOption... options) throws IOException {
            return new ForwardingChannel(delegate.open(path, options)) {
                @Override
                public int read(ByteBuffer dst, long position) throws IOException {
                    positionalReads.incrementAndGet();
                    return delegate.read(dst, position);
                }
            };
        }
    }

    private static StoreOptions options(StoreFileSystem fs) {
        return StoreOptions.defaults().fileSystem(fs).syncInterval(Duration.ofHours(1)).segmentBytes(64 * 1024)
                .diskNamespaces(ns -> ns.equals("d"));
    }

    private static PersistMap<String, String> diskMap(Store store) {
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(new ConcurrentHashMap<>())
                .disk(1L << 30));
    }

    private static String value(int i) {
        return i + ":" + "x".repeat(1000);
    }

    /** Writes KEYS values (about 5 segments of 64 KB), then filler until they are all in sealed segments. */
    private static void fill(Path log, PersistMap<String, String> m, StoreFileSystem fs) throws IOException {
        for (int i = 0; i < KEYS; i++) {
            m.set("k" + i, value(i), Durability.WRITE);
        }
        int segments = SegmentFiles.list(fs, log).size();
        for (int i = 0; SegmentFiles.list(fs, log).size() == segments; i++) {
            m.set("filler", value(i), Durability.WRITE);
        }
    }

    private static void assertEveryValueReads(PersistMap<String, String> m) {
        for (int i = 0; i < KEYS; i++) {
            assertThat(m.peek("k" + i)).isEqualTo(value(i));
        }
    }

    /** Reads every value back and checks that no read was a positional read of the log's files. */
    private static void assertEveryValueReadsWithoutAPositionalRead(PersistMap<String, String> m,
                                                                    CountingFileSystem fs) {
        long before = fs.positionalReads.get();
        assertEveryValueReads(m);
        assertThat(fs.positionalReads.get() - before).as("positional reads for %d records in sealed segments", KEYS)
                .isZero();
    }

    /**
     * @return the lines of this process's memory map that map a file under {@code dir} read-only: the reads'
     *         mappings (the last segment's end is mapped read-write for appends, {@link MappedAppendsTest})
     */
    private List<String> mappingsOf(Path under) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains(under.toString()) && line.contains(" r--s ")) {
                out.add(line);
            }
        }
        return out;
    }

    @Test
    void aRecordInASealedSegmentIsReadThroughTheMappingWithoutASystemCall() throws Exception {
        // Java 22 on maps in an Arena, through an overload of FileChannel.map that a channel of the test's own (built
        // for Java 17) does not implement: such channels are read with positional reads there
        assumeTrue(Runtime.version().feature() < 22, "a test channel is mapped on Java 17 to 21 only");
        Path log = dir.resolve("m.log");
        CountingFileSystem fs = new CountingFileSystem();
        try (Store store = Store.open(log, options(fs))) {
            PersistMap<String, String> m = diskMap(store);
            fill(log, m, fs);
            assertEveryValueReadsWithoutAPositionalRead(m, fs);
            assertThat(mappingsOf(dir)).as("the sealed segments mapped").isNotEmpty();
        }
    }

    /**
     * Counts positional reads, and the first {@code FileChannel.map} of a log file meets what an interrupt landing
     * during that call does: the channel closed, {@link ClosedByInterruptException} thrown.
     */
    static final class InterruptedFirstMapFileSystem extends CountingFileSystem {
        final AtomicBoolean interrupted = new AtomicBoolean();

        @Override
        public FileChannel open(Path path, OpenOption... options) throws IOException {
            FileChannel counting = super.open(path, options);
            return new ForwardingChannel(counting) {
                @Override
                public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
                    if (mode == MapMode.READ_ONLY && interrupted.compareAndSet(false, true)) {
                        delegate.close();
                        throw new ClosedByInterruptException();
                    }
                    return delegate.map(mode, position, size);
                }
            };
        }
    }

    @Test
    void aMappingCutShortByAnInterruptIsTriedAgainByTheNextRead() throws Exception {
        assumeTrue(Runtime.version().feature() < 22, "a test channel is mapped on Java 17 to 21 only");
        Path log = dir.resolve("i.log");
        InterruptedFirstMapFileSystem fs = new InterruptedFirstMapFileSystem();
        try (Store store = Store.open(log, options(fs))) {
            PersistMap<String, String> m = diskMap(store);
            fill(log, m, fs);
            assertEveryValueReads(m); // the first read of the first sealed segment meets the interrupt
            assertThat(fs.interrupted).as("a mapping met the interrupt").isTrue();

            assertEveryValueReadsWithoutAPositionalRead(m, fs);
        }
    }

    @Test
    void aRetiredSegmentIsUnmappedAtOnceAndAClosedStoreMapsNothing() throws Exception {
        Path log = dir.resolve("r.log");
        try (Store store = Store.open(log, options(StoreFileSystem.local()))) {
            PersistMap<String, String> m = diskMap(store);
            fill(log, m, StoreFileSystem.local());
            assertEveryValueReads(m);
            List<String> mapped = mappingsOf(dir);
            assertThat(mapped).as("mapped by the reads").isNotEmpty();
            store.shrink(); // retires every segment the reads mapped, and deletes their files
            assertThat(mappingsOf(dir)).as("mappings left of retired, deleted segments (their space still in use)")
                    .noneMatch(line -> line.endsWith("(deleted)"));
            assertEveryValueReads(m);
            fill(log, m, StoreFileSystem.local());
            assertEveryValueReads(m);
            assertThat(mappingsOf(dir)).as("the copies' segments mapped in turn").isNotEmpty();
        }
        assertThat(mappingsOf(dir)).as("mappings left after close").isEmpty();
    }

    /**
     * The rule that keeps a release from pulling a mapping out from under a copy: a read copies holding the store's
     * disk lock (read side), and a shrink's retirement and the store's close release mappings only under its write
     * side. Here the test holds the read side as a read in progress would: the shrink and then the close wait for it,
     * and every mapping stays until it is let go.
     */
    @Test
    void aShrinkOrACloseReleasesNoMappingWhileAReadHoldsTheDiskLock() throws Exception {
        Path log = dir.resolve("l.log");
        Store store = Store.open(log, options(StoreFileSystem.local()));
        PersistMap<String, String> m = diskMap(store);
        fill(log, m, StoreFileSystem.local());
        assertEveryValueReads(m);
        List<String> mapped = mappingsOf(dir);
        assertThat(mapped).isNotEmpty();
        runWhileAReadHoldsTheDiskLock(store, store::shrink, mapped);
        assertThat(mappingsOf(dir)).as("the retired segments' mappings, released once the read ended")
                .doesNotContainAnyElementsOf(mapped);

        assertEveryValueReads(m);
        fill(log, m, StoreFileSystem.local());
        assertEveryValueReads(m);
        List<String> mappedAgain = mappingsOf(dir);
        assertThat(mappedAgain).isNotEmpty();
        // a change the log does not hold: the close then writes no index file, whose write takes the lock as well
        store.map("mem", Codecs.utf8(), Codecs.utf8()).set("x", "y", Durability.MEMORY);
        runWhileAReadHoldsTheDiskLock(store, store::close, mappedAgain);
        assertThat(mappingsOf(dir)).as("mappings after close").isEmpty();
    }

    /**
     * Runs {@code action} in a thread of its own while this thread holds the disk lock's read side, and checks that
     * the mappings stay {@code mapped} until the action waits for the write side; then lets go and waits for it.
     */
    private void runWhileAReadHoldsTheDiskLock(Store store, Runnable action, List<String> mapped) throws Exception {
        java.util.concurrent.locks.ReentrantReadWriteLock disk = store.diskLock();
        disk.readLock().lock();
        Thread thread = new Thread(action);
        try {
            thread.start();
            awaitQueued(disk, thread);
            assertThat(mappingsOf(dir)).as("mappings while a read is in progress").isEqualTo(mapped);
        } finally {
            disk.readLock().unlock();
        }
        thread.join();
    }

    private static void awaitQueued(java.util.concurrent.locks.ReentrantReadWriteLock lock, Thread thread)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!lock.hasQueuedThread(thread)) {
            assertThat(System.nanoTime()).as(thread.getName() + " waiting for the disk lock's write side")
                    .isLessThan(deadline);
            assertThat(thread.isAlive()).as(thread.getName() + " still running").isTrue();
            Thread.sleep(1);
        }
    }

    /**
     * Readers copy from mappings while shrinks release them and the store closes under them: a mapping released
     * under a copy would crash this JVM (Java 17 to 21) or fail the read (Java 22 on). Every read returns the value
     * written, or fails as a read of a closed store does.
     */
    @Test
    void readsRacingShrinksAndCloseReturnTheValueOrSeeAClosedStore() throws Exception {
        Path log = dir.resolve("c.log");
        Store store = Store.open(log, options(StoreFileSystem.local()));
        PersistMap<String, String> m = diskMap(store);
        fill(log, m, StoreFileSystem.local());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        AtomicReference<Throwable> wrong = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    int i = ThreadLocalRandom.current().nextInt(KEYS);
                    try {
                        String v = m.peek("k" + i);
                        if (!value(i).equals(v) && !closed.get()) {
                            wrong.compareAndSet(null, new AssertionError("k" + i + " read as " + v));
                        }
                        reads.incrementAndGet();
                    } catch (IllegalStateException | StoreException e) {
                        if (!closed.get()) {
                            wrong.compareAndSet(null, e);
                        }
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        for (int round = 0; round < 20; round++) {
            store.shrink();
            for (int i = 0; SegmentFiles.list(StoreFileSystem.local(), log).size() < 3; i++) {
                m.set("filler", value(i), Durability.WRITE);
            }
        }
        closed.set(true);
        store.close();
        Thread.sleep(50);
        stop.set(true);
        for (Thread reader : readers) {
            reader.join();
        }
        assertThat(wrong.get()).as("a wrong read").isNull();
        assertThat(reads.get()).as("reads made").isGreaterThan(1000);
        assertThat(mappingsOf(dir)).isEmpty();
    }

    @Test
    void withoutMappedReadsEveryReadIsAPositionalReadAndNothingIsMapped() throws Exception {
        Path log = dir.resolve("p.log");
        CountingFileSystem fs = new CountingFileSystem();
        try (Store store = Store.open(log, options(fs).mappedReads(false))) {
            PersistMap<String, String> m = diskMap(store);
            fill(log, m, fs);
            long before = fs.positionalReads.get();
            assertEveryValueReads(m);
            assertThat(fs.positionalReads.get() - before).as("positional reads").isGreaterThanOrEqualTo(KEYS);
            assertThat(mappingsOf(dir)).as("mappings").isEmpty();
        }
    }

    /**
     * What {@code mappedReads: false} is for: a sealed segment cut short by something outside the store is met as
     * damaged records (dropped, counted, logged), and the store goes on. (With mappings, the same read is a
     * {@code SIGBUS}, raised by the JVM as an {@link InternalError} in the reading thread, possibly a little later.)
     */
    @Test
    void withoutMappedReadsASegmentCutShortOutsideTheStoreIsDamagedRecordsAndTheStoreGoesOn() throws Exception {
        Path log = dir.resolve("t.log");
        try (Store store = Store.open(log, options(StoreFileSystem.local()).mappedReads(false))) {
            PersistMap<String, String> m = diskMap(store);
            fill(log, m, StoreFileSystem.local());
            assertEveryValueReads(m); // with mappings, they are made now
            Path first = SegmentFiles.pathOf(log, SegmentFiles.list(StoreFileSystem.local(), log).get(0));
            try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(first) / 2);
            }
            Map<String, String> read = new HashMap<>();
            for (int i = 0; i < KEYS; i++) {
                String v = m.peek("k" + i);
                if (v != null) {
                    assertThat(v).isEqualTo(value(i));
                    read.put("k" + i, v);
                }
            }
            assertThat(read).as("the keys before the cut and in later segments").hasSizeBetween(KEYS / 2, KEYS - 1);
            assertThat(store.stats().damagedReads()).as("records past the cut met as damaged")
                    .isEqualTo(KEYS - read.size());
            m.set("after", "still writable", Durability.WRITE);
            assertThat(m.get("after")).isEqualTo("still writable");
        }
    }
}
