package dev.persist.store;

import dev.persist.store.log.IndexHint;
import dev.persist.store.log.LogSegment;
import dev.persist.store.log.LogWriter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Store#backup}: copies a live log's files into a directory as they are at one moment. The caller holds the
 * store's shrink lock, so no segment is retired, and the index file not rewritten, while the copy is taken; appends
 * go on, and the copy ends where the written log ended when it started, so it is the log as it was then, never a
 * record cut short.
 */
final class Backup {
    private final StoreFileSystem fs;
    private final Path log;
    private final LogWriter writer;

    Backup(StoreFileSystem fs, Path log, LogWriter writer) {
        this.fs = fs;
        this.log = log;
        this.writer = writer;
    }

    /** @return the files written: the segments in log order, then the index file if the log has one */
    List<Path> copyTo(Path directory) throws IOException {
        fs.createDirectories(directory);
        List<Path> present = fs.list(directory);
        if (!present.isEmpty()) {
            throw new IllegalArgumentException("backup directory " + directory + " is not empty (it holds "
                    + present.get(0).getFileName() + (present.size() > 1 ? " and " + (present.size() - 1) + " more" : "")
                    + "): give a new or empty directory, so that no file of another log is mixed into the copy");
        }
        LogWriter.WrittenPoint end = writer.writtenPoint();
        List<Path> written = new ArrayList<>();
        List<LogSegment> segments = writer.segments();
        if (segments.get(0).number > 0 && fs.exists(log)) {
            // segment 0 emptied by a shrink (its header only): the log's path names the log, so it is copied too
            written.add(copy(log, fs.size(log), directory));
        }
        for (LogSegment seg : segments) {
            if (seg.number > end.segment().number) {
                break; // begun after the copy's end
            }
            long length = seg == end.segment() ? end.offset() : writer.lengthOf(seg);
            written.add(copy(seg.path, length, directory));
        }
        Path index = IndexHint.pathOf(log);
        if (fs.exists(index)) {
            // written at the last shrink or close, it covers a point before the copy's end: the restored log's open
            // reads it and replays the records after that point
            written.add(copy(index, fs.size(index), directory));
        }
        fs.fsyncDirectory(directory);
        return written;
    }

    private Path copy(Path source, long length, Path directory) throws IOException {
        Path target = directory.resolve(source.getFileName().toString());
        if (!fs.createFile(target)) {
            throw new IOException("backup file " + target + " appeared while the backup was written");
        }
        try (FileChannel in = fs.open(source, StandardOpenOption.READ);
             FileChannel out = fs.open(target, StandardOpenOption.WRITE)) {
            long at = 0;
            while (at < length) {
                long n = in.transferTo(at, length - at, out);
                if (n <= 0) {
                    throw new IOException(source + " ends at " + at + " bytes, before the " + length
                            + " bytes the log holds in it");
                }
                at += n;
            }
            out.force(true);
        }
        return target;
    }
}
