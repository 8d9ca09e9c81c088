package org.emodir.evo;

import java.util.Arrays;

/**
 * How a binary channel mask is cut into layers: group {@code i} owns genes
 * {@code [start(i), start(i) + size(i))} and must keep at least {@code minKeep(i)} channels.
 */
public final class MaskLayout {
    private final int[] sizes;
    private final int[] minKeep;
    private final int[] starts;
    private final int genes;

    public MaskLayout(int[] sizes, int[] minKeep) {
        if (sizes.length == 0 || sizes.length != minKeep.length) {
            throw new IllegalArgumentException("mask layout needs one min-keep per group: " + sizes.length + " groups, "
                    + minKeep.length + " min-keep values");
        }
        this.sizes = sizes.clone();
        this.minKeep = minKeep.clone();
        this.starts = new int[sizes.length + 1];
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] <= 0 || minKeep[i] < 0 || minKeep[i] > sizes[i]) {
                throw new IllegalArgumentException("mask layout group " + i + ": size " + sizes[i] + ", min-keep "
                        + minKeep[i] + " (need size > 0 and 0 <= min-keep <= size)");
            }
            starts[i + 1] = Math.addExact(starts[i], sizes[i]);
        }
        this.genes = starts[sizes.length];
    }

    /** Every group keeps at least {@code minKeep} channels (capped at the group size). */
    public static MaskLayout uniformMinKeep(int[] sizes, int minKeep) {
        int[] keep = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            keep[i] = Math.min(minKeep, sizes[i]);
        }
        return new MaskLayout(sizes, keep);
    }

    public int groups() {
        return sizes.length;
    }

    public int genes() {
        return genes;
    }

    public int size(int group) {
        return sizes[group];
    }

    public int start(int group) {
        return starts[group];
    }

    public int minKeep(int group) {
        return minKeep[group];
    }

    /** Channels kept (genes equal to 1) by {@code row} in {@code group}. */
    public int kept(Population pop, int row, int group) {
        int count = 0;
        for (int g = starts[group], end = starts[group + 1]; g < end; g++) {
            count += pop.bit(row, g);
        }
        return count;
    }

    public void requireMatches(Population pop) {
        if (pop.encoding() != Encoding.BINARY || pop.genes() != genes) {
            throw new IllegalArgumentException("mask layout of " + genes + " genes in " + sizes.length
                    + " groups does not fit a " + pop.encoding() + " population of " + pop.genes() + " genes");
        }
    }

    @Override
    public String toString() {
        return "MaskLayout" + Arrays.toString(sizes) + " minKeep" + Arrays.toString(minKeep);
    }
}
