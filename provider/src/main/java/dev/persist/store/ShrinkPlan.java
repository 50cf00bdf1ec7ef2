package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.LogSegment;
import dev.persist.store.log.LogWriter;

import java.util.Collection;
import java.util.List;

/**
 * Which segments an automatic shrink retires: a prefix of the log's segments (oldest first) whose disk-resident live
 * bytes are at most {@code 1 / ratio} of its bytes, so that every byte copied forward frees at least
 * {@code ratio - 1} bytes; of those, the shortest that brings the log down to halfway between the live bytes and the
 * trigger ({@code (1 + ratio) / 2} times the live bytes), else (or if the log is within that already: the trigger
 * counts records, not bytes) the longest. The live bytes per segment come from one pass over the disk indexes. A
 * store with little garbage in its old segments therefore rewrites little, however large it is.
 *
 * <p>Why the shortest that reaches the target, not the longest that pays: when every key is overwritten alike, the
 * oldest segments hold the least that is still live and each later one more, and the longest prefix that pays is
 * then the whole log: every shrink copied every live record, and puts waited behind the copies while it ran
 * (benchmarks/README.md, "Puts with auto-shrink on"). Retiring the oldest segments until the log is back at the
 * target copies only their few live records, and the shrink comes back sooner, smaller.
 *
 * <p>Entries of namespaces held in memory have no location, so which segment holds their live records is not known;
 * every shrink rewrites them whole (they are held in memory, so they are bounded by the heap). A store with no
 * disk-backed namespace therefore retires every segment, as a full {@link Store#shrink()} does.
 */
final class ShrinkPlan {
    private ShrinkPlan() {
    }

    /**
     * @param writer   the log
     * @param indexes  the index of every disk-backed namespace
     * @param disk     whether the store has disk-backed namespaces
     * @param ratio    the auto-shrink ratio, greater than 1
     * @return the number of the newest segment to retire, or -1 for none
     */
    static long lastToRetire(LogWriter writer, Collection<DiskIndex> indexes, boolean disk, double ratio) {
        List<LogSegment> segments = writer.segments();
        if (!disk) {
            return segments.get(segments.size() - 1).number;
        }
        long[] liveBySlot = new long[DiskIndex.SEGMENT_SLOTS];
        for (DiskIndex index : indexes) {
            index.forEachLocation((location, length) ->
                    liveBySlot[DiskIndex.slotOfPosition(DiskIndex.offset(location))] += length);
        }
        long totalBytes = 0;
        long totalLive = 0;
        for (LogSegment seg : segments) {
            totalBytes += writer.lengthOf(seg);
            totalLive += liveBySlot[(int) DiskIndex.slotOf(seg.number)];
        }
        double target = totalLive * (1 + ratio) / 2;
        boolean aboveTarget = totalBytes > target;
        long bytes = 0;
        long live = 0;
        long longest = -1;
        for (LogSegment seg : segments) {
            bytes += writer.lengthOf(seg);
            live += liveBySlot[(int) DiskIndex.slotOf(seg.number)];
            if (live * ratio <= bytes && writer.recordsOf(seg) > 0) {
                if (aboveTarget && totalBytes - bytes + live <= target) {
                    return seg.number; // the shortest prefix that pays and brings the log back to the target
                }
                longest = seg.number;
            }
        }
        return longest;
    }
}
