package dev.persist.store;

import dev.persist.store.log.LocalFileSystem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Every file operation a {@link Store} makes: opening channels, creating, renaming, deleting and listing files, and
 * making a directory's entries durable. The store never touches {@link java.nio.file.Files} itself, so a test can put
 * a file system in between that records the order of writes, fsyncs and renames, or that fails or loses them (a
 * simulated power cut). {@link #local()} is the real one.
 */
public interface StoreFileSystem extends StoreOptions.ChannelFactory {

    /** @return the operating system's file system, with files created readable and writable by their owner only */
    static StoreFileSystem local() {
        return LocalFileSystem.INSTANCE;
    }

    /**
     * Creates an empty file, readable and writable by its owner only where the file system has POSIX modes. Its
     * directory entry is durable only after {@link #fsyncDirectory}.
     *
     * @param file the file
     * @return true if created, false if it already existed
     * @throws IOException on any other failure
     */
    boolean createFile(Path file) throws IOException;

    /**
     * @param dir a directory, created with its missing parents
     * @throws IOException on failure
     */
    void createDirectories(Path dir) throws IOException;

    /**
     * Renames {@code source} over {@code target} atomically, replacing it. Durable only after {@link #fsyncDirectory}.
     *
     * @param source existing file
     * @param target its new name
     * @throws IOException on failure (including a file system that cannot rename atomically)
     */
    void moveReplacing(Path source, Path target) throws IOException;

    /**
     * @param file a file
     * @return whether it existed
     * @throws IOException on failure
     */
    boolean deleteIfExists(Path file) throws IOException;

    /**
     * Makes the creations, renames and deletions in {@code dir} durable (fsync of the directory itself).
     *
     * @param dir the directory
     * @throws IOException on failure
     */
    void fsyncDirectory(Path dir) throws IOException;

    /**
     * @param file a path
     * @return whether a file exists there
     */
    boolean exists(Path file);

    /**
     * @param file an existing file
     * @return its size in bytes
     * @throws IOException on failure
     */
    long size(Path file) throws IOException;

    /**
     * @param dir a directory
     * @return the paths of its entries, in no particular order
     * @throws IOException on failure
     */
    List<Path> list(Path dir) throws IOException;

    /**
     * @param file an existing file
     * @return the file's identity (device and inode on Unix), or null where the file system has none
     * @throws IOException on failure
     */
    Object fileKey(Path file) throws IOException;

    /**
     * Whether bytes written through a read-write mapping of a channel this file system opened reach the file as the
     * channel's own writes do: then the log appends by copying into a mapping of its last segment's end
     * ({@link StoreOptions#mappedAppends}). False by default, and for every file system that stands in between (a
     * {@link ForwardingFileSystem}): one that records, fails or loses writes sees only calls on its channels, and
     * writes through a mapping would pass it by. {@link #local()} answers true.
     *
     * @return whether the log may write its files through mappings
     */
    default boolean writesThroughMappings() {
        return false;
    }

    /**
     * @param file a file
     * @return its directory (the root for a file in the root)
     */
    static Path directoryOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent != null ? parent : file.toAbsolutePath().getRoot();
    }

    /**
     * A file system that opens channels with {@code opener} and does everything else as {@code base} does: how
     * tests wrap the channels of an otherwise real file system.
     *
     * @param base   the file system for every other operation
     * @param opener opens channels
     * @return the combined file system
     */
    static StoreFileSystem withChannels(StoreFileSystem base, StoreOptions.ChannelFactory opener) {
        Objects.requireNonNull(opener, "opener");
        return new ForwardingFileSystem(base) {
            @Override
            public FileChannel open(Path path, OpenOption... options) throws IOException {
                return opener.open(path, options);
            }
        };
    }
}
