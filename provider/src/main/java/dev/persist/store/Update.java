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
    private PersistMap<?, ?> companion;
    private Object companionValue;

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

    /**
     * Also sets this key in {@code companion}, a map of the same store keyed like this one, in the same atomic
     * section. The companion's record is logged with this update's own record, just before it and at the same tier
     * (at ASYNC, in the same pending change of this key), so that after a crash the companion change is in the log
     * whenever this update's change is; it is logged even if this update keeps its own entry. This is how a
     * companion namespace records something about a key (the JCache provider's write-behind: which keys still owe
     * their system of record a call) that must never be older in the log than the key's own value.
     *
     * <p>Change a companion map only this way (through updates of the map it accompanies), never with its own
     * {@code set}, {@code delete} or {@code update}: only then are its records ordered with the key's. One
     * companion change per update; the last call wins.
     *
     * @param companion the companion map: same store, not this map, not itself accompanied
     * @param value     the companion value, not null
     * @param <C>       the companion's value type
     */
    public <C> void setIn(PersistMap<?, C> companion, C value) {
        this.companion = java.util.Objects.requireNonNull(companion, "companion");
        this.companionValue = java.util.Objects.requireNonNull(value, "value");
    }

    /**
     * Also deletes this key from {@code companion}, as {@link #setIn} sets it.
     *
     * @param companion the companion map
     */
    public void deleteIn(PersistMap<?, ?> companion) {
        this.companion = java.util.Objects.requireNonNull(companion, "companion");
        this.companionValue = null;
    }

    PersistMap<?, ?> companion() {
        return companion;
    }

    Object companionValue() {
        return companionValue;
    }

    Action action() {
        return action;
    }

    V newValue() {
        return newValue;
    }
}
