package dev.persist.store;

/**
 * An I/O error (disk full, read-only file system, fsync failure) hit the log. The call that hit it throws this
 * exception; from then on the store refuses writes with the same cause until it is reopened, because after a
 * failed write or fsync the file's tail is in an unknown state. Reopening recovers the last durable state.
 */
public class StoreFailedException extends StoreException {
    /**
     * @param message what failed, naming the file
     * @param cause   the I/O error
     */
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
