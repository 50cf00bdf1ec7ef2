package dev.persist.store.power;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a disk holds after a power cut, built from a {@link History} one event at a time: for each file (inode) the
 * bytes an fsync made durable and the writes and truncates since; for the directory the names a directory fsync made
 * durable and the creates, renames and deletes since. {@link #image} then draws one disk image a real machine may
 * leave if the power goes at the current position.
 *
 * <p>The model (documented in docs/durability.md#the-power-cut-model):
 * <ul>
 *   <li>A file's fsync makes durable every write and truncate of that file that completed before the fsync began.
 *       Nothing else makes file data durable.</li>
 *   <li>Of the rest, each 512-byte sector of a file independently holds the state after some prefix of the
 *       not-yet-durable writes that touched it: the page cache writes a sector back whole, with whatever it held at
 *       that moment, so within one sector a later write is never on disk without an earlier one, but across sectors
 *       any mix is possible (a later write's sector on disk and an earlier one's not, a write torn at sector
 *       boundaries). A sector no write-back reached holds zeros beyond the durable data (a new block's unwritten
 *       extent reads as zeros).</li>
 *   <li>The file's size is its size after some prefix of those writes and truncates, at least its durable size:
 *       a size that ran ahead of the data shows zeros, one that lagged cuts data off.</li>
 *   <li>A directory's fsync makes durable every create, rename, delete and new directory in it that completed before
 *       the fsync began. Of the rest, a prefix survives (the file system journals metadata in order): a file whose
 *       creation did not survive is gone whatever its data, a rename that did not survive leaves the old name with
 *       the old file, a directory whose creation did not survive is gone with everything in it.</li>
 * </ul>
 */
final class DiskModel {
    static final int SECTOR = 512;

    /** A file's durable bytes and what happened to it since its last fsync. */
    private static final class FileState {
        byte[] durable = new byte[0];
        /** Writes and truncates not yet covered by an fsync, in order. */
        final List<History.Event> pending = new ArrayList<>();
    }

    private final Map<Integer, FileState> files = new HashMap<>();
    private final Map<String, Integer> durableNames = new LinkedHashMap<>();
    private final Set<String> durableDirs = new HashSet<>();
    /** Creates, renames, deletes and new directories not yet covered by an fsync of their directory, in order. */
    private final List<History.Event> pendingDir = new ArrayList<>();
    private int position;

    DiskModel(History history) {
        durableDirs.addAll(history.initialDirs);
        history.initialInodes.forEach((name, inode) -> {
            FileState f = new FileState();
            f.durable = history.initialFiles.get(name).clone();
            files.put(inode, f);
            durableNames.put(name, inode);
        });
    }

    /** @return how many events have been applied: the power would be cut before event {@code position()} */
    int position() {
        return position;
    }

    /** Applies the next event of the history. */
    void apply(History.Event e) {
        if (e.seq() != position) {
            throw new IllegalArgumentException("event " + e.seq() + " applied at position " + position);
        }
        position++;
        if (e instanceof History.Write w) {
            files.get(w.inode()).pending.add(w);
        } else if (e instanceof History.Truncate t) {
            files.get(t.inode()).pending.add(t);
        } else if (e instanceof History.ForceEnd f) {
            FileState file = files.get(f.inode());
            int covered = 0;
            while (covered < file.pending.size() && file.pending.get(covered).seq() < f.beginSeq()) {
                covered++;
            }
            List<History.Event> done = file.pending.subList(0, covered);
            file.durable = applyAll(file.durable, done);
            done.clear();
        } else if (e instanceof History.Create c) {
            files.put(c.inode(), new FileState());
            pendingDir.add(c);
        } else if (e instanceof History.Rename || e instanceof History.Delete || e instanceof History.Mkdir) {
            pendingDir.add(e);
        } else if (e instanceof History.DirSyncEnd d) {
            List<History.Event> done = new ArrayList<>();
            for (History.Event p : pendingDir) {
                if (p.seq() < d.beginSeq() && parentOf(entryOf(p)).equals(d.dir())) {
                    done.add(p);
                }
            }
            applyDir(durableNames, durableDirs, done);
            pendingDir.removeAll(done);
        }
        // fsync beginnings and the test's marks change nothing on disk
    }

    /** How far the not-yet-durable part of each file and of the directory got to the disk. */
    enum Spread {
        /** nothing of it */
        NONE,
        /** all of it */
        ALL,
        /** a prefix of it in history order, as if the machine had stopped at an earlier point (kill -9 like) */
        PREFIX,
        /** each sector its own prefix, the size and the directory their own: the general case */
        SCATTERED
    }

    /**
     * Draws one disk image of the current position.
     *
     * @return file name to content
     */
    Map<String, byte[]> image(Random rnd, Spread spread) {
        Map<String, Integer> names = new LinkedHashMap<>(durableNames);
        Set<String> dirs = new HashSet<>(durableDirs);
        Map<String, byte[]> image = new TreeMap<>();
        if (spread == Spread.PREFIX) {
            // the machine as it was at an earlier point p, with everything before p on disk
            int p = rnd.nextInt(position + 1);
            applyDir(names, dirs, pendingDir.stream().filter(e -> e.seq() < p).toList());
            names.forEach((name, inode) -> {
                FileState f = files.get(inode);
                if (reachable(name, dirs)) {
                    image.put(name, applyAll(f.durable, f.pending.stream().filter(e -> e.seq() < p).toList()));
                }
            });
            return image;
        }
        applyDir(names, dirs, pendingDir.subList(0, choose(rnd, spread, pendingDir.size())));
        names.forEach((name, inode) -> {
            if (reachable(name, dirs)) {
                image.put(name, fileImage(files.get(inode), rnd, spread));
            }
        });
        return image;
    }

    /** @return whether every directory above {@code name} is in {@code dirs}: a lost directory takes its files along */
    private static boolean reachable(String name, Set<String> dirs) {
        for (String d = parentOf(name); !d.isEmpty(); d = parentOf(d)) {
            if (!dirs.contains(d)) {
                return false;
            }
        }
        return true;
    }

    /** @return the directory holding {@code name}, "" for the root */
    static String parentOf(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }

    /** @return the directory entry a directory operation changes (a rename's target: the store renames in place) */
    private static String entryOf(History.Event e) {
        if (e instanceof History.Create c) {
            return c.name();
        } else if (e instanceof History.Rename r) {
            return r.to();
        } else if (e instanceof History.Delete d) {
            return d.name();
        }
        return ((History.Mkdir) e).name();
    }

    /** @return how many of {@code n} pending operations survive */
    private static int choose(Random rnd, Spread spread, int n) {
        return switch (spread) {
            case NONE -> 0;
            case ALL -> n;
            case PREFIX, SCATTERED -> rnd.nextInt(n + 1); // PREFIX is drawn in image() itself
        };
    }

    private static byte[] fileImage(FileState file, Random rnd, Spread spread) {
        List<History.Event> pending = file.pending;
        if (pending.isEmpty() || spread == Spread.NONE) {
            return file.durable.clone();
        }
        if (spread == Spread.ALL) {
            return applyAll(file.durable, pending);
        }
        // the size after a prefix of the pending operations
        int sizePrefix = rnd.nextInt(pending.size() + 1);
        long size = file.durable.length;
        long extent = size;
        for (int i = 0; i < pending.size(); i++) {
            History.Event e = pending.get(i);
            long after = e instanceof History.Write w ? Math.max(size, w.position() + w.bytes().length)
                    : Math.min(size, ((History.Truncate) e).size());
            if (i < sizePrefix) {
                size = after;
            }
            if (e instanceof History.Write w) {
                extent = Math.max(extent, w.position() + w.bytes().length);
            }
        }
        byte[] disk = Arrays.copyOf(file.durable, Math.toIntExact(extent));
        // for each sector, the pending operations that touched it, in order; then a prefix of them per sector
        Map<Long, List<History.Event>> bySector = new TreeMap<>();
        for (History.Event e : pending) {
            long from;
            long to;
            if (e instanceof History.Write w) {
                from = w.position();
                to = w.position() + w.bytes().length;
            } else {
                from = ((History.Truncate) e).size();
                to = extent;
            }
            for (long s = from / SECTOR; s * SECTOR < to; s++) {
                bySector.computeIfAbsent(s, k -> new ArrayList<>()).add(e);
            }
        }
        for (Map.Entry<Long, List<History.Event>> sectorOps : bySector.entrySet()) {
            List<History.Event> ops = sectorOps.getValue();
            int keep = rnd.nextInt(ops.size() + 1);
            long start = sectorOps.getKey() * SECTOR;
            long end = Math.min(start + SECTOR, extent);
            for (History.Event e : ops.subList(0, keep)) {
                if (e instanceof History.Write w) {
                    long a = Math.max(start, w.position());
                    long b = Math.min(end, w.position() + w.bytes().length);
                    System.arraycopy(w.bytes(), (int) (a - w.position()), disk, (int) a, (int) (b - a));
                } else {
                    long a = Math.max(start, ((History.Truncate) e).size());
                    if (a < end) {
                        Arrays.fill(disk, (int) a, (int) end, (byte) 0);
                    }
                }
            }
        }
        return Arrays.copyOf(disk, (int) size);
    }

    /** The file after {@code ops} in order, on top of {@code base}. */
    private static byte[] applyAll(byte[] base, List<History.Event> ops) {
        byte[] b = base.clone();
        int size = base.length;
        for (History.Event e : ops) {
            if (e instanceof History.Write w) {
                int end = Math.toIntExact(w.position() + w.bytes().length);
                if (end > b.length) {
                    b = Arrays.copyOf(b, Math.max(end, b.length * 2));
                }
                if (w.position() > size) {
                    Arrays.fill(b, size, (int) w.position(), (byte) 0);
                }
                System.arraycopy(w.bytes(), 0, b, (int) w.position(), w.bytes().length);
                size = Math.max(size, end);
            } else {
                int t = (int) Math.min(size, ((History.Truncate) e).size());
                Arrays.fill(b, t, size, (byte) 0);
                size = t;
            }
        }
        return b.length == size ? b : Arrays.copyOf(b, size);
    }

    private static void applyDir(Map<String, Integer> names, Set<String> dirs, List<History.Event> ops) {
        for (History.Event e : ops) {
            if (e instanceof History.Create c) {
                names.put(c.name(), c.inode());
            } else if (e instanceof History.Rename r) {
                Integer inode = names.remove(r.from());
                if (inode != null) {
                    names.put(r.to(), inode);
                }
            } else if (e instanceof History.Delete d) {
                names.remove(d.name());
            } else if (e instanceof History.Mkdir m) {
                dirs.add(m.name());
            } else {
                throw new IllegalArgumentException(e.toString());
            }
        }
    }
}
