package dev.persist.store;

import dev.persist.store.log.LogScanner;
import dev.persist.store.log.PairedRecords;
import dev.persist.store.log.RecordFormat;
import dev.persist.store.log.ByteKey;
import dev.persist.store.log.SegmentFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Operator access to a log without opening a {@link Store}: reading never takes the lock and never changes a file,
 * so it works on the log of a running application and on a damaged copy alike. A log is given by its configured path
 * (segment 0); its segment files ({@code <log>.000001}, ...) are read in order after it. A log written as one file
 * is a log of one segment.
 */
public final class LogFiles {
    /** Every file access of the operator tools: the local file system, as a store opened with the defaults uses. */
    private static final StoreFileSystem FS = StoreFileSystem.local();

    private LogFiles() {
    }

    /**
     * One valid record.
     *
     * @param segment   the number of its segment file (0: the configured path)
     * @param offset    its byte offset in that file
     * @param size      its size on disk, prefix included
     * @param delete    a delete record (else a set)
     * @param namespace its namespace
     * @param key       the key's bytes
     * @param value     the value's bytes (empty for a delete)
     * @param paired    the first record of a pair: a companion record written together with the record after it,
     *                  which open applies only with that one
     */
    public record LogRecord(long segment, long offset, int size, boolean delete, String namespace, byte[] key, byte[] value,
            boolean paired) {
        /** @return the key read as UTF-8 */
        public String keyAsString() {
            return new String(key, StandardCharsets.UTF_8);
        }
    }

    /**
     * Bytes that are not a valid record.
     *
     * @param file   the segment file they are in
     * @param offset where they start in it
     * @param length how many bytes until the next valid record or the end of the file
     * @param reason what is wrong at {@code offset}
     * @param tail   true if it is in the last segment and no valid record follows (a torn tail), or what follows is
     *               what a power cut left of writes never fsynced (see {@code LogScanner.unwrittenAt}), or the file is a
     *               header cut short (no longer than the header, each byte the header's or zero): open truncates (or
     *               rewrites) it. Damage in any other segment is never a tail: that segment was fsynced whole before
     *               the next one was created
     * @param zeros  true if the region is nothing but zero bytes from where the next record would start to the end
     *               of the last segment: the zeros a store with mapped appends writes ahead of its records (while it
     *               runs, and left so by a crash), or the end of a file a power cut left unwritten. No byte of a
     *               record is in it, so it is not counted as damage ({@link Verification#clean}); open cuts it like a
     *               torn tail
     */
    public record Damage(Path file, long offset, long length, String reason, boolean tail, boolean zeros) {
    }

    /**
     * Per-namespace counts.
     *
     * @param records  records of the namespace in the file
     * @param liveKeys keys whose last record is a set
     */
    public record NamespaceSummary(long records, long liveKeys) {
    }

    /**
     * What {@link #verify} found.
     *
     * @param file       the log (its configured path)
     * @param fileBytes  the size of its live segment files together
     * @param records    valid records
     * @param damages    damaged regions, in file order (empty for a clean log)
     * @param namespaces per namespace, sorted by name
     */
    public record Verification(Path file, long fileBytes, long records, List<Damage> damages,
                               Map<String, NamespaceSummary> namespaces) {
        /**
         * @return true if every byte after the header is a valid record, but for zeros past the last record of the
         *         last segment ({@link Damage#zeros})
         */
        public boolean clean() {
            return damaged().isEmpty();
        }

        /** @return the damaged regions: {@link #damages} but for zeros past the last record ({@link Damage#zeros}) */
        public List<Damage> damaged() {
            return damages.stream().filter(d -> !d.zeros()).toList();
        }

        /** @return true if there is damage followed by valid records, which {@link Store#openLog} refuses */
        public boolean corrupt() {
            return damages.stream().anyMatch(d -> !d.tail());
        }

        /** @return live keys over all namespaces */
        public long liveKeys() {
            return namespaces.values().stream().mapToLong(NamespaceSummary::liveKeys).sum();
        }
    }

    /**
     * Checks each segment's header and every record's length and CRC, going on past damage to find every valid record.
     *
     * @param file a log (its configured path)
     * @return what it holds
     * @throws CorruptLogException if the header is not a valid version-1 header (a header cut short, which open
     *                             rewrites, is reported as tail damage instead)
     * @throws IOException         if the file cannot be read
     */
    public static Verification verify(Path file) throws IOException {
        Map<String, long[]> counts = new HashMap<>();
        Map<String, Map<ByteKey, Boolean>> live = new HashMap<>();
        long[] records = {0};
        List<Damage> damages = read(file, r -> {
            records[0]++;
            counts.computeIfAbsent(r.namespace(), k -> new long[1])[0]++;
            Map<ByteKey, Boolean> keys = live.computeIfAbsent(r.namespace(), k -> new HashMap<>());
            if (r.delete()) {
                keys.remove(new ByteKey(r.key()));
            } else {
                keys.put(new ByteKey(r.key()), Boolean.TRUE);
            }
        });
        Map<String, NamespaceSummary> namespaces = new TreeMap<>();
        counts.forEach((ns, c) -> namespaces.put(ns, new NamespaceSummary(c[0], live.get(ns).size())));
        long bytes = 0;
        for (Path segment : segments(file)) {
            bytes += FS.size(segment);
        }
        return new Verification(file, bytes, records[0], damages, Collections.unmodifiableMap(namespaces));
    }

    /**
     * @param log a log (its configured path)
     * @return its live segment files, oldest first (the configured path alone for a log of one segment)
     * @throws IOException if the directory cannot be listed, or there is no log at {@code log}
     */
    public static List<Path> segments(Path log) throws IOException {
        List<Path> out = new ArrayList<>();
        for (long n : SegmentFiles.list(FS, log)) {
            out.add(SegmentFiles.pathOf(log, n));
        }
        if (out.isEmpty()) {
            throw new java.nio.file.NoSuchFileException(log.toString(), null, "no log file or segment there");
        }
        return out;
    }

    /**
     * Visits every valid record in log order (segment by segment), skipping damaged bytes. As at open, the first
     * record of a pair is visited only if the record completing it follows; if not, it is reported with the damage.
     *
     * @param file    a log (its configured path)
     * @param visitor gets each valid record
     * @return the damaged regions skipped (empty for a clean log)
     * @throws CorruptLogException if the header is not a valid version-1 header (a header cut short, which open
     *                             rewrites, is reported as tail damage instead)
     * @throws IOException         if the file cannot be read
     */
    public static List<Damage> read(Path file, Consumer<LogRecord> visitor) throws IOException {
        List<Path> segments = segments(file);
        List<Long> numbers = SegmentFiles.list(FS, file);
        List<Damage> damages = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            readSegment(segments.get(i), numbers.get(i), i == segments.size() - 1, visitor, damages);
        }
        return damages;
    }

    private static void readSegment(Path file, long number, boolean last, Consumer<LogRecord> visitor,
                                    List<Damage> damages) throws IOException {
        try (FileChannel ch = FS.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] head = new byte[(int) Math.min(size, RecordFormat.HEADER_SIZE)];
            if (readFully(ch, head) < head.length) {
                throw new CorruptLogException(file, 0, "could not read the " + head.length + "-byte header");
            }
            if (size <= RecordFormat.HEADER_SIZE && !java.util.Arrays.equals(head, RecordFormat.header())) {
                if (LogScanner.creationCutShort(head)) {
                    // what a creation cut short leaves (a power cut can also zero the header's sector): open rewrites
                    // the header of the last segment, as it cuts a torn tail
                    damages.add(new Damage(file, 0, size, "header cut short (" + size + " bytes, each the header's "
                            + "or zero)", last, false));
                    return;
                }
                if (size < RecordFormat.HEADER_SIZE) {
                    throw new CorruptLogException(file, 0, "shorter than the " + RecordFormat.HEADER_SIZE
                            + "-byte header");
                }
            }
            String bad = RecordFormat.checkHeader(head);
            if (bad != null) {
                throw new CorruptLogException(file, 0, bad);
            }
            LogScanner scanner = new LogScanner(ch, size);
            long pos = RecordFormat.HEADER_SIZE;
            // a pair's first record only with its second, as at open
            PairedRecords pairs = new PairedRecords((offset, r) -> visitor.accept(new LogRecord(number, offset,
                    r.size(), r.isDelete(), r.namespace(), r.key(), r.value(), r.isPaired())));
            while (true) {
                LogScanner.Damage d = scanner.scan(pos, pairs);
                long pairStart = pairs.dropHeld();
                if (d == null) {
                    if (pairStart >= 0) {
                        // the write of a pair cut right after its first record: open cuts it off
                        damages.add(new Damage(file, pairStart, size - pairStart,
                                "the first record of a pair whose second is not there", last, false));
                    }
                    return;
                }
                long next = scanner.nextRecordAfterDamage(d.offset()); // -1: open cuts it off as a torn tail
                long from = pairStart >= 0 ? pairStart : d.offset();
                boolean zeros = next < 0 && last && pairStart < 0 && scanner.zerosToTheEnd(from);
                damages.add(new Damage(file, from, (next < 0 ? size : next) - from,
                        zeros ? "zeros past the last record"
                                : (pairStart >= 0 ? "the first record of a pair whose second is damaged: " : "")
                                + d.reason(),
                        next < 0 && last, zeros));
                if (next < 0) {
                    return;
                }
                pos = next;
            }
        }
    }

    private static int readFully(FileChannel ch, byte[] b) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            if (ch.read(bb, bb.position()) < 0) {
                break;
            }
        }
        return bb.position();
    }

    /**
     * Copies every valid record of {@code damaged}, in order, into a new log {@code target} of one file (fsynced),
     * leaving the damaged log as it is. Replaying the copy gives the state of every record that survived.
     *
     * @param damaged a log (its configured path), perhaps damaged
     * @param target  a path where no file exists yet
     * @return the verification of the damaged file (what was copied, what was skipped)
     * @throws IOException if reading or writing fails; a partial target is deleted
     */
    public static Verification salvage(Path damaged, Path target) throws IOException {
        Verification v = verify(damaged);
        if (!FS.createFile(target)) {
            throw new java.nio.file.FileAlreadyExistsException(target.toString(), null, "salvage never overwrites a file");
        }
        boolean done = false;
        try (FileChannel out = FS.open(target, StandardOpenOption.WRITE)) {
            Shrinker.Output o = new Shrinker.Output(out);
            o.write(RecordFormat.header());
            read(damaged, r -> {
                byte[] ns = r.namespace().getBytes(StandardCharsets.UTF_8);
                o.writeRecord(r.delete() ? RecordFormat.encodeDelete(ns, r.key())
                        : RecordFormat.encodeSet(ns, r.key(), r.value()));
            });
            o.flush();
            out.force(true);
            done = true;
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (!done) {
                FS.deleteIfExists(target);
            }
        }
        FS.fsyncDirectory(StoreFileSystem.directoryOf(target));
        return v;
    }
}
