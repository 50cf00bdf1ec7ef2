package dev.persist.store;

import java.nio.file.Path;

/**
 * The log holds damaged bytes that are followed by valid records, so they are not a torn tail: the store
 * refuses to open rather than silently drop acknowledged writes. Open with {@link StoreOptions#salvage(boolean)}
 * to skip the damage and keep every valid record.
 */
public class CorruptLogException extends StoreException {
    private final Path file;
    private final long offset;

    /**
     * @param file   the log file
     * @param offset the byte offset of the first damaged record
     * @param detail what is wrong there
     */
    public CorruptLogException(Path file, long offset, String detail) {
        super("corrupt log " + file + " at offset " + offset + ": " + detail);
        this.file = file;
        this.offset = offset;
    }

    /** @return the log file */
    public Path file() {
        return file;
    }

    /** @return the byte offset of the first damaged record */
    public long offset() {
        return offset;
    }
}
