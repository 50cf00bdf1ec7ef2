package dev.persist.bench;

import java.util.Random;

/** Zipf-like key indices, precomputed so the measured loop only reads an array. */
final class Zipf {
    private Zipf() {
    }

    /**
     * @param n        number of keys (ranks 1..n)
     * @param s        exponent (0.99: YCSB's default skew)
     * @param samples  how many indices to draw
     * @param seed     random seed (fixed: every implementation sees the same sequence)
     * @return key indices in {@code [0, n)}, rank r drawn with probability proportional to {@code 1 / r^s}; ranks
     *         are mapped to keys through a fixed permutation, so hot keys are spread over the key space
     */
    static int[] indices(int n, double s, int samples, long seed) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            sum += 1.0 / Math.pow(r + 1, s);
            cdf[r] = sum;
        }
        Random rnd = new Random(seed);
        int[] perm = permutation(n, rnd);
        int[] out = new int[samples];
        for (int k = 0; k < samples; k++) {
            double u = rnd.nextDouble() * sum;
            int lo = 0;
            int hi = n - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            out[k] = perm[lo];
        }
        return out;
    }

    /**
     * @return the key indices of the {@code count} most frequent ranks of {@link #indices} with the same {@code n}
     *         and {@code seed}, most frequent first (to fill a bounded front with what the draws will ask most)
     */
    static int[] hottest(int n, long seed, int count) {
        int[] perm = permutation(n, new Random(seed));
        return java.util.Arrays.copyOf(perm, Math.min(count, n));
    }

    /** Rank r -> key index, a Fisher-Yates shuffle drawn from {@code rnd}. */
    private static int[] permutation(int n, Random rnd) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }
}
