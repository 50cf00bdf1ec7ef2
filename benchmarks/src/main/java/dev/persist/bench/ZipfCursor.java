package dev.persist.bench;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A thread's position in the precomputed Zipf draws ({@link Zipf#indices}, {@link #DRAWS} of them) of
 * {@link JCacheGetBenchmark} and {@link DiskGetBenchmark}: each thread walks the draws from its own random offset.
 */
@State(Scope.Thread)
public class ZipfCursor {
    /** Number of precomputed draws, a power of two. */
    static final int DRAWS = 1 << 20;

    int pos = ThreadLocalRandom.current().nextInt(DRAWS);

    int next() {
        int p = pos;
        pos = (p + 1) & (DRAWS - 1);
        return p;
    }
}
