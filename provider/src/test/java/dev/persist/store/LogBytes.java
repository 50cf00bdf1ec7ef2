package dev.persist.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers for a log of segment files, given its configured path. */
final class LogBytes {
    private LogBytes() {
    }

    /** @return the bytes of the log's live segment files together */
    static long of(Path log) throws IOException {
        long total = 0;
        for (Path segment : LogFiles.segments(log)) {
            total += Files.size(segment);
        }
        return total;
    }

    /** @return the numbered segment files beside {@code log} ({@code log.000001}, ...), live or not, sorted */
    static List<Path> numberedSegments(Path log) throws IOException {
        String prefix = log.getFileName() + ".";
        try (Stream<Path> files = Files.list(log.toAbsolutePath().getParent())) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().substring(prefix.length()).matches("[0-9]{6,}"))
                    .sorted().toList();
        }
    }

    /** Deletes the numbered segment files beside {@code log}: what is left is a log of one file. */
    static void deleteNumberedSegments(Path log) throws IOException {
        for (Path p : numberedSegments(log)) {
            Files.delete(p);
        }
    }
}
