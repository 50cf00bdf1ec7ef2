package dev.persist.store;

/** Base of the store's unchecked exceptions. */
public class StoreException extends RuntimeException {
    /** @param message what went wrong, naming the file where there is one */
    public StoreException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the file where there is one
     * @param cause   the underlying error
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
