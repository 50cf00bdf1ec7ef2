package dev.persist.store;

/**
 * The state handed to an {@link PersistMap#update} function: the current value and whether it exists, and the
 * action the function chooses. Unlike go-persist's, the default action is to keep the entry unchanged and write
 * nothing: Java values are usually immutable, so a silent rewrite of the same value would only cost a record.
 * Call {@link #set}, {@link #delete} or {@link #cancel}; the last call wins.
 *
 * @param <V> the value type
 */
public final class Update<V> {
    /** What the function decided. */
    enum Action { KEEP, SET, DELETE }

    private final V value;
    private final boolean exists;
    private Action action = Action.KEEP;
    private V newValue;

    Update(V value) {
        this.value = value;
        this.exists = value != null;
    }

    /** @return the current value, or null if the key does not exist */
    public V value() {
        return value;
    }

    /** @return whether the key exists */
    public boolean exists() {
        return exists;
    }

    /**
     * Sets the key to {@code newValue}.
     *
     * @param newValue not null
     */
    public void set(V newValue) {
        this.newValue = java.util.Objects.requireNonNull(newValue, "newValue");
        this.action = Action.SET;
    }

    /** Deletes the key (nothing happens if it does not exist). */
    public void delete() {
        this.newValue = null;
        this.action = Action.DELETE;
    }

    /** Keeps the entry as it was and writes nothing (also the default). */
    public void cancel() {
        this.newValue = null;
        this.action = Action.KEEP;
    }

    Action action() {
        return action;
    }

    V newValue() {
        return newValue;
    }
}
