package org.emodir.data;

import java.util.Arrays;

/** Index subsets of a dataset, ascending: everything, first k per class, seeded random k per class. */
public final class Subsets {
    private Subsets() {}

    public static int[] all(ImageDataset ds) {
        int[] all = new int[ds.size()];
        Arrays.setAll(all, i -> i);
        return all;
    }

    /** The first {@code k} images (in dataset order) of every class. */
    public static int[] firstPerClass(ImageDataset ds, int k) {
        int[][] byClass = byClass(ds, k);
        return take(byClass, k);
    }

    /** {@code k} images of every class drawn without replacement, a pure function of {@code seed}. */
    public static int[] stratifiedRandom(ImageDataset ds, int k, long seed) {
        int[][] byClass = byClass(ds, k);
        for (int c = 0; c < byClass.length; c++) {
            SplitMix.shuffle(byClass[c], SplitMix.mix(seed) ^ SplitMix.mix(c));
        }
        return take(byClass, k);
    }

    private static int[][] byClass(ImageDataset ds, int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        int[] counts = ds.classCounts();
        int[][] byClass = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] < k) {
                throw new IllegalArgumentException(ds.name() + ": class " + c + " ("
                        + ds.classNames().get(c) + ") has " + counts[c] + " images, fewer than k=" + k);
            }
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[counts.length];
        for (int i = 0; i < ds.size(); i++) {
            int c = ds.label(i);
            byClass[c][fill[c]++] = i;
        }
        return byClass;
    }

    private static int[] take(int[][] byClass, int k) {
        int[] out = new int[byClass.length * k];
        for (int c = 0; c < byClass.length; c++) {
            System.arraycopy(byClass[c], 0, out, c * k, k);
        }
        Arrays.sort(out);
        return out;
    }
}
