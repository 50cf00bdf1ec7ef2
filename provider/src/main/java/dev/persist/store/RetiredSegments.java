package dev.persist.store;

import dev.persist.store.log.SegmentFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The files of segments an automatic shrink retired, kept under another name ({@code <segment>.retired}) until the
 * log starts a new segment, then deleted one per new segment ({@link #deleteOldest}).
 *
 * <p>Why not delete them at once: a retired segment's pages are in the page cache, and deleting it frees them. The
 * appends that follow need new pages. Freed pages that are taken again soon are cheap; on a virtual machine whose
 * kernel hands free memory back to its host (free page reporting, ballooning), pages left free for a few seconds go
 * back, and each one the log then takes costs a fault in the host. A shrink frees gigabytes at once, far more than
 * the next seconds of appends take; freeing one segment's worth each time the log starts a segment keeps the freed
 * pages just ahead of the appends that need them. On a machine whose memory stays the guest's, this changes nothing
 * but when the disk space comes back.
 *
 * <p>A retired file is no longer part of the log: its rename reaches the disk in the same order and with the same
 * directory fsync as the delete it replaces (see {@link Shrinker}), and {@link SegmentFiles#list} never lists it. A
 * crash can leave such files behind: an open deletes them ({@link #deleteLeftovers}). They hold disk space until
 * deleted, at most what the last automatic shrink retired: each shrink first deletes the ones an earlier one kept,
 * an explicit {@link Store#shrink()} deletes them all (an operator who shrinks wants the space), and so does close.
 */
final class RetiredSegments {
    private static final System.Logger LOG = System.getLogger(RetiredSegments.class.getName());
    static final String SUFFIX = ".retired";

    private final StoreFileSystem fs;
    private final ArrayDeque<Path> kept = new ArrayDeque<>();

    RetiredSegments(StoreFileSystem fs) {
        this.fs = fs;
    }

    /** @return the name a retired segment's file is kept under */
    static Path pathOf(Path segment) {
        return segment.resolveSibling(segment.getFileName() + SUFFIX);
    }

    /**
     * Renames a retired segment's file out of the log; durable with the directory's next fsync. Called by a shrink,
     * oldest segment first.
     */
    void keep(Path segment) throws IOException {
        Path retired = pathOf(segment);
        fs.moveReplacing(segment, retired);
        synchronized (this) {
            kept.add(retired);
        }
    }

    /** @return whether any file is kept */
    synchronized boolean any() {
        return !kept.isEmpty();
    }

    /** Deletes the oldest kept file, if any: the log has just started a segment, which will need its pages. */
    void deleteOldest() {
        Path oldest;
        synchronized (this) {
            oldest = kept.poll();
        }
        if (oldest != null) {
            delete(oldest);
        }
    }

    /** Deletes every kept file. */
    void deleteAll() {
        List<Path> all;
        synchronized (this) {
            all = new ArrayList<>(kept);
            kept.clear();
        }
        all.forEach(this::delete);
    }

    private void delete(Path file) {
        try {
            fs.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            // not part of the log: the next open deletes it
            LOG.log(System.Logger.Level.WARNING, "could not delete the retired log segment " + file
                    + " (the next open deletes it): " + e);
        }
    }

    /**
     * Deletes the retired segment files of the log at {@code log} that a crash (or a failed delete) left.
     *
     * @return how many there were
     */
    static int deleteLeftovers(StoreFileSystem fs, Path log) throws IOException {
        Path dir = StoreFileSystem.directoryOf(log);
        if (!fs.exists(dir)) {
            return 0;
        }
        Pattern name = Pattern.compile(Pattern.quote(log.getFileName().toString()) + "\\.[0-9]{6,18}"
                + Pattern.quote(SUFFIX));
        int deleted = 0;
        for (Path p : fs.list(dir)) {
            if (name.matcher(p.getFileName().toString()).matches() && fs.deleteIfExists(p)) {
                deleted++;
            }
        }
        return deleted;
    }
}
