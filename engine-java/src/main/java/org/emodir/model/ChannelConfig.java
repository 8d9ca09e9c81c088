package org.emodir.model;

import java.util.Arrays;

/** Kept width of every prunable group, in {@link NetSpec#prunableGroups()} order. Immutable. */
public final class ChannelConfig {
    private final int[] widths;

    public ChannelConfig(int... widths) {
        for (int i = 0; i < widths.length; i++) {
            if (widths[i] < 1) throw new IllegalArgumentException("group " + i + " width " + widths[i] + " < 1");
        }
        this.widths = widths.clone();
    }

    public int width(int group) {
        return widths[group];
    }

    public int size() {
        return widths.length;
    }

    public int[] toArray() {
        return widths.clone();
    }

    public ChannelConfig with(int group, int width) {
        int[] w = widths.clone();
        w[group] = width;
        return new ChannelConfig(w);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelConfig c && Arrays.equals(widths, c.widths);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(widths);
    }

    @Override
    public String toString() {
        return Arrays.toString(widths);
    }
}
