package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.LogSegment;
import dev.persist.store.log.LogWriter;

import java.util.Collection;
import java.util.List;

/**
 * Which segments an automatic shrink retires: the longest prefix of the log's segments (oldest first) whose
 * disk-resident live bytes are at most {@code 1 / ratio} of its bytes, so that every byte copied forward frees at
 * least {@code ratio - 1} bytes. The live bytes per segment come from one pass over the disk indexes. A store with
 * little garbage in its old segments therefore rewrites little, however large it is.
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
        long bytes = 0;
        long live = 0;
        long last = -1;
        for (LogSegment seg : segments) {
            bytes += writer.lengthOf(seg);
            live += liveBySlot[(int) DiskIndex.slotOf(seg.number)];
            if (live * ratio <= bytes && writer.recordsOf(seg) > 0) {
                last = seg.number;
            }
        }
        return last;
    }
}
