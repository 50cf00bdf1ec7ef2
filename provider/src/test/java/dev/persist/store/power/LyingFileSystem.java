package dev.persist.store.power;

import dev.persist.store.StoreFileSystem;
import dev.persist.store.ForwardingFileSystem;
import dev.persist.testkit.ForwardingChannel;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A file system that lies to the store about one kind of durability, for the negative controls: the store above it
 * believes an fsync happened that never reached the recording file system below, exactly as if the store had skipped
 * it. A checker that passes a store on a lying file system proves nothing.
 */
final class LyingFileSystem extends ForwardingFileSystem {
    /** What is dropped. */
    enum Lie {
        /** every fsync of a file: FSYNC is acknowledged with nothing on stable storage */
        FILE_FSYNC,
        /** the directory fsync after the log's creation */
        DIR_FSYNC_AFTER_CREATE,
        /** the directory fsync after a new segment file's creation */
        DIR_FSYNC_AFTER_SEGMENT_CREATE,
        /**
         * every fsync of a segment file after the first ({@code s.log.000001}, ...), as a store would do that deletes
         * retired segments before the copies of their live records are durable (and acknowledges FSYNC calls early)
         */
        SEGMENT_FSYNC
    }

    private final Lie lie;
    private final String logName;
    private boolean createdLog;
    private boolean createdSegment;

    LyingFileSystem(StoreFileSystem truth, Lie lie, String logName) {
        super(truth);
        this.lie = lie;
        this.logName = logName;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        FileChannel ch = delegate.open(path, options);
        if (lie != Lie.FILE_FSYNC && !(lie == Lie.SEGMENT_FSYNC && isSegment(path))) {
            return ch;
        }
        return new ForwardingChannel(ch) {
            @Override
            public void force(boolean metaData) {
                // the lie: nothing reaches the disk
            }
        };
    }

    @Override
    public synchronized boolean createFile(Path file) throws IOException {
        boolean made = delegate.createFile(file);
        createdLog |= made && file.getFileName().toString().equals(logName);
        createdSegment |= made && isSegment(file);
        return made;
    }

    private boolean isSegment(Path file) {
        return file.getFileName().toString().matches(java.util.regex.Pattern.quote(logName) + "\\.[0-9]{6,}");
    }

    @Override
    public synchronized void fsyncDirectory(Path dir) throws IOException {
        if (lie == Lie.DIR_FSYNC_AFTER_CREATE && createdLog) {
            createdLog = false;
            return;
        }
        if (lie == Lie.DIR_FSYNC_AFTER_SEGMENT_CREATE && createdSegment) {
            createdSegment = false;
            return;
        }
        delegate.fsyncDirectory(dir);
    }
}
