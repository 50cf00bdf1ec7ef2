package dev.persist.jcache.integration;

/** Closes what the application gave a cache (loaders, writers, listeners, expiry policies) that is closeable. */
public final class Closing {
    private Closing() {
    }

    /**
     * Closes {@code o} if it is {@link AutoCloseable}; a failure is logged, never thrown: one component's failure
     * must not keep the others open.
     *
     * @param o anything
     */
    public static void quietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                System.getLogger(Closing.class.getName()).log(System.Logger.Level.WARNING, "closing " + o + " failed",
                        e);
            }
        }
    }
}
