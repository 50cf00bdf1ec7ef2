package dev.persist.store;

import java.nio.file.Path;

/** The log file is already open, by another process or by another {@link Store} of this JVM. */
public class StoreLockedException extends StoreException {
    private final Path file;

    /**
     * @param file   the log file
     * @param detail who holds it
     */
    public StoreLockedException(Path file, String detail) {
        super("store " + file + " is locked: " + detail);
        this.file = file;
    }

    /** @return the log file that could not be locked */
    public Path file() {
        return file;
    }
}
