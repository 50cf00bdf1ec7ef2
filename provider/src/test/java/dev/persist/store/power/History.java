package dev.persist.store.power;

import dev.persist.store.Durability;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a store did under a directory, in one order: the file system calls a {@link RecordingFileSystem} saw
 * (writes with their bytes, truncates, fsyncs of files and of directories, creates, renames, deletes, new
 * directories) and the test's own marks (an operation began, was acknowledged; a barrier such as {@code fsyncAll} or {@code close}
 * began, returned). A power cut "at position c" means events {@code [0, c)} happened and nothing after.
 *
 * <p>A write is recorded once its bytes are in the page cache (the call returned); an fsync when it begins and when
 * it returns, because it only covers the writes that completed before it began. Serializable, so that a failing
 * case can be saved and replayed exactly (the threads that made it cannot be).
 */
final class History implements Serializable {
    private static final long serialVersionUID = 1;

    /** One thing that happened, at position {@code seq}, at {@code nanos} (System.nanoTime, for loss windows). */
    sealed interface Event extends Serializable {
        int seq();

        long nanos();
    }

    /** Bytes written to file {@code inode} at {@code position}. */
    record Write(int seq, long nanos, int inode, long position, byte[] bytes) implements Event {
        @Override
        public String toString() {
            return "#" + seq + " write inode " + inode + " [" + position + ", " + (position + bytes.length) + ")";
        }
    }

    /** File {@code inode} truncated to {@code size}. */
    record Truncate(int seq, long nanos, int inode, long size) implements Event {
    }

    /** An fsync of file {@code inode} began. */
    record ForceBegin(int seq, long nanos, int inode) implements Event {
    }

    /** The fsync of file {@code inode} that began at {@code beginSeq} returned. */
    record ForceEnd(int seq, long nanos, int inode, int beginSeq) implements Event {
    }

    /** A new empty file {@code inode} named {@code name}. */
    record Create(int seq, long nanos, String name, int inode) implements Event {
    }

    /** {@code from} renamed over {@code to}. */
    record Rename(int seq, long nanos, String from, String to) implements Event {
    }

    /** {@code name} deleted. */
    record Delete(int seq, long nanos, String name) implements Event {
    }

    /** A new directory {@code name}. */
    record Mkdir(int seq, long nanos, String name) implements Event {
    }

    /** An fsync of directory {@code dir} ("" for the recorded root) began. */
    record DirSyncBegin(int seq, long nanos, String dir) implements Event {
    }

    /** The fsync of directory {@code dir} that began at {@code beginSeq} returned. */
    record DirSyncEnd(int seq, long nanos, String dir, int beginSeq) implements Event {
    }

    /** The test began operation {@code op}: {@code key} set to {@code value} (null: deleted) at {@code tier}. */
    record OpBegin(int seq, long nanos, int op, String key, String value, Durability tier) implements Event {
    }

    /** Operation {@code op} returned (was acknowledged). */
    record OpEnd(int seq, long nanos, int op) implements Event {
    }

    /**
     * A barrier began: a call after which everything acknowledged before it began is durable ({@code fsyncAll},
     * {@code close}; {@code durableAfter} false for a call that promises nothing, kept as a label).
     */
    record BarrierBegin(int seq, long nanos, int barrier, String what, boolean durableAfter) implements Event {
    }

    /** Barrier {@code barrier} returned. */
    record BarrierEnd(int seq, long nanos, int barrier) implements Event {
    }

    /** The directories under the recorded root before the history began, durable, by name. */
    final Set<String> initialDirs = new TreeSet<>();
    /** The files under the recorded root before the history began, all durable, by name (a path relative to it). */
    final Map<String, byte[]> initialFiles = new LinkedHashMap<>();
    /** The inode of each initial file. */
    final Map<String, Integer> initialInodes = new LinkedHashMap<>();
    /** What a store finds in {@link PowerCuts#NAMESPACE} of the initial files (key to value). */
    final Map<String, String> initialState = new TreeMap<>();
    /** Images cut before this position are opened with salvage on (the salvage workload, until its open returned). */
    int salvageBefore;
    /** Whether a completed fsync of the log makes the WRITE operations acknowledged before it began durable (true
     *  for workloads that never shrink: the log is then always the same file). */
    boolean logFsyncCoversWrites;
    /** The log's name: its path relative to the recorded root. */
    final String logName;
    private final List<Event> events = new ArrayList<>();
    private transient boolean frozen;
    private int ops;
    private int barriers;

    History(String logName) {
        this.logName = logName;
    }

    /** Appends an event made by {@code factory} with the next position, unless the history is frozen. */
    synchronized <E extends Event> E add(EventFactory<E> factory) {
        if (frozen) {
            return null;
        }
        E e = factory.make(events.size(), System.nanoTime());
        events.add(e);
        return e;
    }

    /** Makes an event for a position and a time. */
    @FunctionalInterface
    interface EventFactory<E extends Event> {
        E make(int seq, long nanos);
    }

    /** Stops recording: what the store does after this (closing it to free the test's threads) is not history. */
    synchronized void freeze() {
        frozen = true;
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized int size() {
        return events.size();
    }

    /** @return a new operation id, after recording its begin */
    synchronized int beginOp(String key, String value, Durability tier) {
        int op = ops++;
        add((s, n) -> new OpBegin(s, n, op, key, value, tier));
        return op;
    }

    void endOp(int op) {
        add((s, n) -> new OpEnd(s, n, op));
    }

    synchronized int beginBarrier(String what, boolean durableAfter) {
        int b = barriers++;
        add((s, n) -> new BarrierBegin(s, n, b, what, durableAfter));
        return b;
    }

    void endBarrier(int barrier) {
        add((s, n) -> new BarrierEnd(s, n, barrier));
    }

    /** Saves this history, for {@link #load}. */
    synchronized void save(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(this);
        }
    }

    static History load(Path file) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            History h = (History) in.readObject();
            h.frozen = true;
            return h;
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }
}
