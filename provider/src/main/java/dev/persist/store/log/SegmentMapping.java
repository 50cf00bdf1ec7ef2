package dev.persist.store.log;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A sealed segment's file mapped into memory read-only, so that a read of a disk-resident record is a copy out of
 * the page cache instead of a {@code pread} system call each. A sealed segment never changes (records are only
 * appended, and only to the last segment), so the mapping stays valid until the segment is retired or the log
 * closed, when it is released at once ({@link #release}): left to the garbage collector, the mapping of a retired
 * segment would keep its deleted file's disk space in use for as long as the buffer object lived.
 *
 * <p>Releasing a mapping while another thread copies from it would crash the JVM on Java 17 to 21, so the
 * {@link LogWriter}'s callers keep the two apart (the store's disk lock: reads under its read side, retirement and
 * close under its write side), and a segment whose mapping was released answers {@link #UNMAPPED}, never the old
 * buffer. How a mapping is released depends on the runtime: on Java 22 and later the file is mapped in a shared
 * {@code Arena} of the foreign memory API, whose close unmaps it and makes any later access throw instead of
 * crash; before, the mapped buffer's cleaner is run ({@code sun.misc.Unsafe.invokeCleaner}, the one way there,
 * and deprecated only from Java 23 on, where the arena is used instead). Where neither is available, or a file
 * cannot be mapped (on Java 22 and later, a channel of a {@link dev.persist.store.StoreFileSystem} that is not the
 * JDK's own and does not implement the arena overload of {@code FileChannel.map}), reads use {@code pread}.
 */
final class SegmentMapping {
    /** A segment that is not mapped and will not be: reads use the channel. */
    static final SegmentMapping NOT_MAPPED = new SegmentMapping(null, null);
    /** A segment whose mapping was released (retired, or the log closed): reads use the channel, which fails. */
    static final SegmentMapping UNMAPPED = new SegmentMapping(null, null);

    private static final Mapper MAPPER = Mapper.forThisRuntime();

    private final ByteBuffer bytes;
    private final AutoCloseable release;

    private SegmentMapping(ByteBuffer bytes, AutoCloseable release) {
        this.bytes = bytes;
        this.release = release;
    }

    /**
     * Maps the first {@code length} bytes of a file read-only.
     *
     * @param channel the segment's file, at least {@code length} bytes long
     * @param length  the segment's valid length
     * @return the mapping, or {@link #NOT_MAPPED} if the runtime, the channel or the length does not allow one
     * @throws java.nio.channels.ClosedChannelException if the channel is closed, or an interrupt of this thread closed
     *         it: the file itself may well be mappable once the channel is reopened, so that is not an answer to keep
     */
    static SegmentMapping map(FileChannel channel, long length) throws java.nio.channels.ClosedChannelException {
        return map(channel, FileChannel.MapMode.READ_ONLY, 0, length);
    }

    /**
     * Maps a region of a file.
     *
     * @param channel the file, at least {@code offset + length} bytes long (mapping past its end would extend it
     *                without reserving disk space for the bytes, and a write there could then fail as a crash)
     * @param mode    read-only, or read-write for {@link AppendWindow}
     * @param offset  where the region starts
     * @param length  its length
     * @return the mapping, or {@link #NOT_MAPPED} if the runtime, the channel or the length does not allow one
     * @throws java.nio.channels.ClosedChannelException if the channel is closed, or an interrupt of this thread closed
     *         it (as {@code FileChannel.map} does when the thread is interrupted): the caller reopens the channel
     */
    static SegmentMapping map(FileChannel channel, FileChannel.MapMode mode, long offset, long length)
            throws java.nio.channels.ClosedChannelException {
        if (MAPPER == null || length > Integer.MAX_VALUE || length <= 0) {
            return NOT_MAPPED;
        }
        try {
            return MAPPER.map(channel, mode, offset, length);
        } catch (java.nio.channels.ClosedChannelException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            // e.g. a channel of a file system that cannot map, or the process out of mappings: pread still works
            return NOT_MAPPED;
        }
    }

    /** @return whether this runtime can map files and release the mappings */
    static boolean canMap() {
        return MAPPER != null;
    }

    /** @return the mapped bytes (read-only unless mapped read-write), or null if nothing is mapped */
    ByteBuffer bytes() {
        return bytes;
    }

    /** Unmaps the file. The caller makes sure no thread is copying from {@link #bytes} (see the class comment). */
    void release() {
        if (release == null) {
            return;
        }
        try {
            release.close();
        } catch (Exception e) {
            // unmapping does not fail; if it did, the collector unmaps it with the buffer (a read-write mapping's
            // bytes are the page cache's already: nothing is lost)
        }
    }

    /** Maps files, and releases the mappings, the way this runtime allows. */
    private interface Mapper {
        SegmentMapping map(FileChannel channel, FileChannel.MapMode mode, long offset, long length) throws IOException;

        /** @return the mapper of this runtime, or null if it has none */
        static Mapper forThisRuntime() {
            try {
                return Runtime.version().feature() >= 22 ? ArenaMapper.create() : CleanerMapper.create();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }

    /** Java 22 and later: {@code FileChannel.map(mode, offset, length, Arena.ofShared())}, released by the arena. */
    private static final class ArenaMapper implements Mapper {
        private final MethodHandle ofShared;
        private final MethodHandle mapInArena;
        private final MethodHandle asByteBuffer;

        private ArenaMapper(MethodHandle ofShared, MethodHandle mapInArena, MethodHandle asByteBuffer) {
            this.ofShared = ofShared;
            this.mapInArena = mapInArena;
            this.asByteBuffer = asByteBuffer;
        }

        static Mapper create() throws ReflectiveOperationException {
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            return new ArenaMapper(
                    lookup.findStatic(arena, "ofShared", MethodType.methodType(arena)),
                    lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(segment,
                            FileChannel.MapMode.class, long.class, long.class, arena)),
                    lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class)));
        }

        @Override
        public SegmentMapping map(FileChannel channel, FileChannel.MapMode mode, long offset, long length)
                throws IOException {
            AutoCloseable arena;
            try {
                arena = (AutoCloseable) ofShared.invoke();
            } catch (Throwable e) {
                throw new IOException("cannot create an arena for the mapping", e);
            }
            try {
                Object segment = mapInArena.invoke(channel, mode, offset, length, arena);
                return new SegmentMapping((ByteBuffer) asByteBuffer.invoke(segment), arena);
            } catch (IOException | UnsupportedOperationException e) {
                closeQuietly(arena);
                throw e;
            } catch (Throwable e) {
                closeQuietly(arena);
                throw new IOException("mapping failed", e);
            }
        }

        private static void closeQuietly(AutoCloseable arena) {
            try {
                arena.close();
            } catch (Exception ignored) {
                // nothing was mapped in it
            }
        }
    }

    /** Java 17 to 21: {@code FileChannel.map}, released by running the buffer's cleaner. */
    private static final class CleanerMapper implements Mapper {
        private final Object unsafe;
        private final Method invokeCleaner;

        private CleanerMapper(Object unsafe, Method invokeCleaner) {
            this.unsafe = unsafe;
            this.invokeCleaner = invokeCleaner;
        }

        static Mapper create() throws ReflectiveOperationException {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return new CleanerMapper(field.get(null), type.getMethod("invokeCleaner", ByteBuffer.class));
        }

        @Override
        public SegmentMapping map(FileChannel channel, FileChannel.MapMode mode, long offset, long length)
                throws IOException {
            ByteBuffer mapped = channel.map(mode, offset, length);
            return new SegmentMapping(mapped, () -> invokeCleaner.invoke(unsafe, mapped));
        }
    }
}
