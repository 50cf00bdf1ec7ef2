package dev.persist.jcache;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * A class an application allowed whose {@code readObject} fails with an {@code Error} or an unchecked exception,
 * as a class changed since the value was written, or one given bytes its writer never wrote, can.
 */
final class HostileReadObject implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What reading throws: {@code oom}, {@code soe}, {@code linkage} or {@code state}. */
    private final String failure;

    HostileReadObject(String failure) {
        this.failure = failure;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        switch (failure) {
            case "oom" -> throw new OutOfMemoryError("Java heap space");
            case "soe" -> throw new StackOverflowError();
            case "linkage" -> throw new NoClassDefFoundError("com/example/Removed");
            case "state" -> throw new IllegalStateException("not what the writer wrote");
            default -> {
            }
        }
    }
}
