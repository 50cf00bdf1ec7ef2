package dev.persist.jcache.gadget;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * A gadget-like class for the serialization allowlist tests: reading one runs code ({@link #readObject} sets
 * {@link #ran} and would run {@link #command}), as the classes of real gadget chains do. Its package is not allowed
 * by default.
 */
public final class Gadget implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Set by {@link #readObject}: whether a stream ever got to run this class's code. */
    public static volatile boolean ran;

    /** What an attacker would have it run. */
    public final String command;

    /** @param command what an attacker would have it run */
    public Gadget(String command) {
        this.command = command;
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        ran = true;
    }
}
