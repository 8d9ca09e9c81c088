package org.emodir.data;

/** SplitMix64 finaliser: a cheap, well-mixed 64-bit hash for seeded per-item randomness. */
final class SplitMix {
    private SplitMix() {}

    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fisher-Yates shuffle of {@code a} driven by {@code seed}. */
    static void shuffle(int[] a, long seed) {
        long s = seed;
        for (int i = a.length - 1; i > 0; i--) {
            s = mix(s);
            int j = (int) Long.remainderUnsigned(s, i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
