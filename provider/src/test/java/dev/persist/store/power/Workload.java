package dev.persist.store.power;

import dev.persist.store.Codecs;
import dev.persist.store.Durability;
import dev.persist.store.MapConfig;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import dev.persist.store.StoreFileSystem;
import dev.persist.store.StoreOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A store run whose file system calls and operations are recorded: a directory under a scratch root (/dev/shm where
 * there is one: images are many small files), the {@link History}, the recording file system, and helpers that
 * record each operation's begin and return around the call.
 */
final class Workload implements AutoCloseable {
    static final String LOG = "s.log";

    final Path root;
    final Path dir;
    final Path log;
    final History history;
    private RecordingFileSystem recording;
    private StoreFileSystem fileSystem;

    private Workload(Path root, String logName) throws IOException {
        this.root = root;
        this.dir = Files.createDirectories(root.resolve("run"));
        this.log = dir.resolve(logName);
        this.history = new History(logName);
    }

    /** A workload whose directory is empty, or filled by {@link #dir} before {@link #start}; the log in it. */
    static Workload create(String name) {
        return create(name, LOG);
    }

    /**
     * @param logName the log's path under the recorded directory: "data/s.log" has the store create "data"
     */
    static Workload create(String name, String logName) {
        try {
            Path base = Path.of("/dev/shm");
            if (!Files.isDirectory(base) || !Files.isWritable(base)) {
                base = Path.of(System.getProperty("java.io.tmpdir"));
            }
            return new Workload(Files.createTempDirectory(base, "powercut-" + name + "-"), logName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts recording: the files now in the directory are the durable initial state.
     *
     * @param lie wraps the recording file system (the negative controls' lies), or the identity
     */
    Workload start(UnaryOperator<StoreFileSystem> lie) {
        try {
            recording = new RecordingFileSystem(dir, history);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fileSystem = lie.apply(recording);
        return this;
    }

    /** @return options over the recorded file system, with a short sync interval so that the syncer shows up */
    StoreOptions options(Duration syncInterval) {
        return StoreOptions.defaults().fileSystem(fileSystem).syncInterval(syncInterval);
    }

    static PersistMap<String, String> map(Store store) {
        return store.map(MapConfig.of(PowerCuts.NAMESPACE, Codecs.utf8(), Codecs.utf8()));
    }

    /** Sets (value non-null) or deletes {@code key}, recording the operation's begin and return. */
    void change(PersistMap<String, String> m, String key, String value, Durability tier) {
        int op = history.beginOp(key, value, tier);
        if (value == null) {
            m.delete(key, tier);
        } else {
            m.set(key, value, tier);
        }
        history.endOp(op);
    }

    /** Runs a call after which everything acknowledged before it is durable, recording it as a barrier. */
    void barrier(String what, Runnable call) {
        int b = history.beginBarrier(what, true);
        call.run();
        history.endBarrier(b);
    }

    /** A directory for opening images, beside the run's. */
    Path scratch() {
        try {
            return Files.createDirectories(root.resolve("image"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
