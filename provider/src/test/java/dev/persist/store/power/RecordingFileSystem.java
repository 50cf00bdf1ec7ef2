package dev.persist.store.power;

import dev.persist.store.StoreFileSystem;
import dev.persist.store.ForwardingFileSystem;
import dev.persist.testkit.ForwardingChannel;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The real file system, under one root directory, with every call that changes it recorded in a {@link History}:
 * the store runs for real (real files, real threads, real group commit), and the history is what a
 * {@link DiskModel} turns into the disk images a power cut could leave.
 *
 * <p>Files are tracked as inodes, as the disk sees them: a channel writes to the file it opened whatever the file
 * is called later, and a rename moves a name, not data. Names are paths relative to the root ("s.log",
 * "data/s.log"); calls outside the root are passed through unrecorded.
 */
final class RecordingFileSystem extends ForwardingFileSystem {
    private final StoreFileSystem real = delegate;
    private final Path root;
    private final History history;
    /** The inode each name of the directory has now, on the real file system. */
    private final Map<String, Integer> names = new HashMap<>();
    private int nextInode;

    /**
     * @param root    the directory under which calls are recorded; what it holds now is the history's initial state
     * @param history where calls are recorded
     */
    RecordingFileSystem(Path root, History history) throws IOException {
        super(StoreFileSystem.local());
        this.root = root.toAbsolutePath().normalize();
        this.history = history;
        try (Stream<Path> all = Files.walk(this.root)) {
            for (Path p : all.sorted().toList()) {
                String name = nameIn(p);
                if (name == null || name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    history.initialDirs.add(name);
                    continue;
                }
                int inode = nextInode++;
                names.put(name, inode);
                history.initialFiles.put(name, Files.readAllBytes(p));
                history.initialInodes.put(name, inode);
            }
        }
    }

    /** @return the name of {@code file} ("" for the root, "a/b" below it) if it lies under the root, else null */
    private String nameIn(Path file) {
        Path f = file.toAbsolutePath().normalize();
        if (!f.startsWith(root)) {
            return null;
        }
        return root.relativize(f).toString().replace(File.separatorChar, '/');
    }

    private synchronized int inodeOf(String name) {
        Integer inode = names.get(name);
        if (inode == null) {
            throw new IllegalStateException("no known file " + name + " under " + root);
        }
        return inode;
    }

    private synchronized void created(String name) {
        int inode = nextInode++;
        names.put(name, inode);
        history.add((s, n) -> new History.Create(s, n, name, inode));
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        String name = nameIn(path);
        if (name == null) {
            return real.open(path, options);
        }
        boolean mayCreate = Arrays.asList(options).contains(StandardOpenOption.CREATE)
                || Arrays.asList(options).contains(StandardOpenOption.CREATE_NEW);
        synchronized (this) {
            boolean existed = real.exists(path);
            FileChannel ch = real.open(path, options);
            if (mayCreate && !existed) {
                created(name);
            }
            return new Recording(ch, inodeOf(name));
        }
    }

    @Override
    public boolean createFile(Path file) throws IOException {
        String name = nameIn(file);
        synchronized (this) {
            boolean made = real.createFile(file);
            if (made && name != null) {
                created(name);
            }
            return made;
        }
    }

    @Override
    public void createDirectories(Path d) throws IOException {
        String name = nameIn(d);
        if (name == null) {
            real.createDirectories(d);
            return;
        }
        // one recorded creation per missing directory, outermost first, as the calls createDirectories makes
        List<Path> missing = new ArrayList<>();
        for (Path p = d.toAbsolutePath().normalize(); p.startsWith(root) && !real.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        synchronized (this) {
            for (Path p : missing) {
                Files.createDirectory(p);
                String created = nameIn(p);
                history.add((s, n) -> new History.Mkdir(s, n, created));
            }
        }
    }

    @Override
    public void moveReplacing(Path source, Path target) throws IOException {
        String from = nameIn(source);
        String to = nameIn(target);
        if (from == null || to == null) {
            throw new IOException("the recording file system renames under " + root + " only: " + source + " -> "
                    + target);
        }
        synchronized (this) {
            real.moveReplacing(source, target);
            names.put(to, names.remove(from));
            history.add((s, n) -> new History.Rename(s, n, from, to));
        }
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        String name = nameIn(file);
        synchronized (this) {
            boolean deleted = real.deleteIfExists(file);
            if (deleted && name != null) {
                names.remove(name);
                history.add((s, n) -> new History.Delete(s, n, name));
            }
            return deleted;
        }
    }

    @Override
    public void fsyncDirectory(Path d) throws IOException {
        String name = nameIn(d);
        if (name == null) {
            real.fsyncDirectory(d);
            return;
        }
        History.DirSyncBegin begin = history.add((s, n) -> new History.DirSyncBegin(s, n, name));
        real.fsyncDirectory(d);
        if (begin != null) {
            history.add((s, n) -> new History.DirSyncEnd(s, n, name, begin.seq()));
        }
    }

    /** @return names of the directory now (for tests that check what the real file system holds) */
    synchronized Set<String> names() {
        return Set.copyOf(names.keySet());
    }

    /** A channel that records its writes (with their bytes), truncates and fsyncs against its file's inode. */
    private final class Recording extends ForwardingChannel {
        private final int inode;

        Recording(FileChannel delegate, int inode) {
            super(delegate);
            this.inode = inode;
        }

        private void wrote(ByteBuffer copy, long position, int n) {
            if (n > 0) {
                byte[] bytes = new byte[n];
                copy.get(bytes);
                history.add((s, t) -> new History.Write(s, t, inode, position, bytes));
            }
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            ByteBuffer copy = src.duplicate();
            int n = delegate.write(src, position);
            wrote(copy, position, n);
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long at = delegate.position();
            ByteBuffer copy = src.duplicate();
            int n = delegate.write(src);
            wrote(copy, at, n);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException("the store never transfers into its files");
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            delegate.truncate(size);
            history.add((s, n) -> new History.Truncate(s, n, inode, size));
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            History.ForceBegin begin = history.add((s, n) -> new History.ForceBegin(s, n, inode));
            delegate.force(metaData);
            if (begin != null) {
                history.add((s, n) -> new History.ForceEnd(s, n, inode, begin.seq()));
            }
        }
    }
}
