package dev.persist.store;

import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.LogScanner;
import dev.persist.store.log.RecordFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The disk-backed namespaces' part of a shrink: their values are not in memory, so instead of being rewritten from
 * memory their live records are copied from the old log, in log order (which keeps the oldest-first order of disk
 * eviction), without decoding anything. A record is live if its namespace's index points at it. Each copy is noted,
 * so that the index entries can be moved to the new file once it replaces the old one ({@link #apply}).
 *
 * <p>Damaged bytes met on the way (a record damaged since the open, which a read may already have found) are skipped
 * to the next valid record, as an open with salvage does: a shrink is also how salvage rewrites a log. An entry whose
 * record was in them has no copy, and {@link #apply} drops it: it could never have been read back.
 */
final class DiskCopy {
    private static final System.Logger LOG = System.getLogger(DiskCopy.class.getName());
    private final Map<String, DiskIndex> indexes;
    private final Map<String, byte[]> names = new HashMap<>();
    private DiskIndex.Entry[] entries = new DiskIndex.Entry[1024];
    private long[] from = new long[1024];
    private long[] to = new long[1024];
    private int count;

    /** @param indexes the index of every disk-backed namespace, by namespace */
    DiskCopy(Map<String, DiskIndex> indexes) {
        this.indexes = indexes;
        indexes.keySet().forEach(ns -> names.put(ns, ns.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Copies the live disk-backed records of {@code [start, end)} of the old log to the new one.
     *
     * @param oldLog the old log
     * @param start  the first record's offset
     * @param end    where to stop (the shrink's start)
     * @param out    the new log
     * @param hint   the index file being written alongside
     * @return how many records were copied
     */
    long copy(Path oldLogPath, FileChannel oldLog, long start, long end, Shrinker.Output out, Shrinker.HintOutput hint)
            throws IOException {
        if (indexes.isEmpty() || start >= end) {
            return 0;
        }
        indexes.forEach((ns, index) -> hint.namespace(names.get(ns), index.size()));
        LogScanner scanner = new LogScanner(oldLog, end);
        long pos = start;
        while (pos < end) {
            LogScanner.Damage damage;
            try {
                damage = scanner.scan(pos, (offset, r) -> copyIfLive(offset, r, out, hint));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (damage == null) {
                break;
            }
            long next = scanner.findNextValidRecord(damage.offset() + 1);
            long skipped = (next < 0 ? end : next) - damage.offset();
            LOG.log(System.Logger.Level.WARNING, "shrinking {0}: skipped {1} damaged bytes at offset {2} ({3}); "
                    + "disk-resident entries whose records were there are dropped", oldLogPath, skipped,
                    damage.offset(), damage.reason());
            if (next < 0) {
                break;
            }
            pos = next;
        }
        return count;
    }

    private void copyIfLive(long offset, RecordFormat.Record r, Shrinker.Output out, Shrinker.HintOutput hint) {
        if (r.isDelete()) {
            return;
        }
        String ns = r.namespace();
        DiskIndex index = indexes.get(ns);
        if (index == null) {
            return;
        }
        DiskIndex.Entry e = index.entry(r.key());
        if (e == null) {
            return;
        }
        long location = e.location();
        if (DiskIndex.offset(location) != offset) {
            return; // an older record of the key
        }
        try {
            long newOffset = out.logicalPosition();
            byte[] record = r.bytes();
            out.write(record);
            note(e, location, DiskIndex.pack(newOffset, record.length));
            hint.location(names.get(ns), e.key, newOffset, record.length);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void note(DiskIndex.Entry e, long oldLocation, long newLocation) {
        if (count == entries.length) {
            int n = count * 2;
            entries = Arrays.copyOf(entries, n);
            from = Arrays.copyOf(from, n);
            to = Arrays.copyOf(to, n);
        }
        entries[count] = e;
        from[count] = oldLocation;
        to[count] = newLocation;
        count++;
    }

    /**
     * With every writer and reader of disk-resident records blocked and the new file in place: points the copied
     * entries at their copies (unless changed since they were copied) and shifts the others with the tail.
     *
     * @param tailStart    the old file's offset where the copied tail began
     * @param newTailStart the new file's offset where it begins
     * @return index entries that pointed at neither (0 unless something is wrong)
     */
    long apply(long tailStart, long newTailStart) {
        for (int i = 0; i < count; i++) {
            DiskIndex.move(entries[i], from[i], to[i]);
        }
        long lost = 0;
        for (DiskIndex index : indexes.values()) {
            lost += index.relocate(tailStart, newTailStart);
        }
        entries = null;
        return lost;
    }
}
