package dev.persist.store.log;

import dev.persist.store.CorruptLogException;
import dev.persist.store.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of a log's segment files. The log at the configured path is segment 0, so a log written as one file (by
 * versions before segments) is a log of one segment. Segment {@code n > 0} is the sibling {@code <log>.<n>}, with
 * {@code n} written in at least six digits ({@code app.log.000001}): only digits follow the dot, so no segment can
 * be taken for the store's other files ({@code .lock}, {@code .index}, {@code .index.tmp}, {@code .shrink}).
 * Numbers only grow; the live segments are always a run of consecutive numbers, since a shrink deletes the oldest
 * first. Segment 0 is not deleted but emptied (cut to its 16-byte header), so that the configured path always names
 * the log; an empty segment 0 in front of later segments is not one of the live segments.
 */
public final class SegmentFiles {
    private SegmentFiles() {
    }

    /** @return the file of segment {@code number} of the log at {@code log} */
    public static Path pathOf(Path log, long number) {
        if (number == 0) {
            return log;
        }
        return log.resolveSibling(log.getFileName() + "." + String.format("%06d", number));
    }

    /**
     * Lists the segments of a log as they are on disk.
     *
     * @param fs  the file system
     * @param log the log's configured path (segment 0)
     * @return the numbers of the live segments present, ascending, consecutive; empty if there is no log yet
     * @throws CorruptLogException if a segment is missing between two present ones
     * @throws IOException         if the directory cannot be listed
     */
    public static List<Long> list(StoreFileSystem fs, Path log) throws IOException {
        Pattern name = Pattern.compile(Pattern.quote(log.getFileName().toString()) + "\\.([0-9]{6,18})");
        List<Long> numbers = new ArrayList<>();
        Path dir = StoreFileSystem.directoryOf(log);
        if (fs.exists(dir)) {
            for (Path p : fs.list(dir)) {
                Matcher m = name.matcher(p.getFileName().toString());
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    if (n > 0 && pathOf(log, n).getFileName().equals(p.getFileName())) {
                        numbers.add(n);
                    }
                }
            }
        }
        numbers.sort(null);
        // segment 0 is emptied (cut to its header), not deleted, when a shrink retires it, so that the configured
        // path always names the log: in front of later segments it holds nothing to replay
        if (fs.exists(log) && (numbers.isEmpty() || fs.size(log) > RecordFormat.HEADER_SIZE)) {
            numbers.add(0, 0L);
        }
        for (int i = 1; i < numbers.size(); i++) {
            if (numbers.get(i) != numbers.get(i - 1) + 1) {
                throw new CorruptLogException(pathOf(log, numbers.get(i - 1) + 1), 0, "segment "
                        + (numbers.get(i - 1) + 1) + " of the log is missing between segments " + numbers.get(i - 1)
                        + " and " + numbers.get(i) + " (segments are deleted oldest first, so a gap is damage)");
            }
        }
        return numbers;
    }
}
