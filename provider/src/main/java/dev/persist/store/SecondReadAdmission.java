package dev.persist.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides whether a value a disk-backed map read back from disk goes into memory: only on its key's second read
 * from disk within a recent window (a "doorkeeper", as in TinyLFU). A key read from disk once in a while is then
 * served without being put in memory, which saves the insert and the eviction of another entry it would cost a
 * bounded front; a key read again soon gets in on that second read.
 *
 * <p>The window is a bitset of hashed keys, one bit per key, cleared once it holds a window of keys
 * ({@link #WINDOW}). Two keys that share a bit count as one (the second one read is admitted on its first read), so
 * the bitset is kept sparse: at most one bit in {@link #BITS_PER_KEY} is set. Lock-free and lossy under races: a bit
 * set while the bitset is being cleared may survive or not, which only moves one key's admission by one read.
 */
final class SecondReadAdmission {
    /**
     * How many distinct keys read from disk the window remembers before it starts over: long enough that a hot key
     * the front dropped gets back in on its next read, short enough that the warm tail of a skewed workload (keys
     * read back now and then, which the front's own policy would reject or soon evict) is not put in memory at all.
     */
    static final int WINDOW = 1 << 17;
    /** Bits per remembered key: the chance that a key never read shares a set bit is at most 1 in this. */
    static final int BITS_PER_KEY = 8;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int window;
    private final int indexBits;
    private final long[] words;
    /** Keys remembered since the last clear (bits this window set). */
    private final AtomicInteger remembered = new AtomicInteger();

    SecondReadAdmission() {
        this(WINDOW);
    }

    /** @param window how many distinct keys the window remembers, a power of two (tests use small ones) */
    SecondReadAdmission(int window) {
        if (window < 8 || Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("window must be a power of two of at least 8: " + window);
        }
        this.window = window;
        this.indexBits = Integer.numberOfTrailingZeros(window * BITS_PER_KEY);
        this.words = new long[window * BITS_PER_KEY / Long.SIZE];
    }

    /**
     * Notes a read of {@code key} from disk.
     *
     * @param key the key read
     * @return whether the key was read from disk before in this window, so its value should go into memory
     */
    boolean admit(Object key) {
        // Fibonacci hashing: the top bits of the product spread even keys with close hash codes
        long product = (key.hashCode() & 0xffff_ffffL) * 0x9E37_79B9_7F4A_7C15L;
        int bit = (int) (product >>> (Long.SIZE - indexBits));
        long mask = 1L << bit; // the shift uses the low 6 bits: the bit within its word
        int word = bit >>> 6;
        if (((long) WORDS.getOpaque(words, word) & mask) != 0) {
            return true; // read before: a plain read, no write to a shared cache line
        }
        long before = (long) WORDS.getAndBitwiseOr(words, word, mask);
        if ((before & mask) != 0) {
            return true; // another thread read the key meanwhile
        }
        if (remembered.incrementAndGet() == window) { // exactly one thread sees the count reach the window
            startOver();
        }
        return false;
    }

    /** Forgets every key: a key read once long ago is no more likely to be read again than one never read. */
    private void startOver() {
        remembered.set(0);
        Arrays.fill(words, 0L);
    }
}
