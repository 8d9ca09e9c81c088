package org.emodir.internal.split;

import java.util.List;
import org.emodir.evo.MaskLayout;
import org.emodir.model.ChannelGroup;

/**
 * One sub-network of the divide-and-conquer split: a run of whole stages {@code firstStage..lastStage}
 * (0-based, inclusive) and the prunable groups inside it. Its decision vector has one bit per prunable
 * channel of {@link #groups()}, group after group, which is also the gene order of the native programs.
 */
public record Subnet(int index, String name, int firstStage, int lastStage, List<ChannelGroup> groups, MaskLayout layout) {
    public Subnet {
        groups = List.copyOf(groups);
    }

    public int genes() {
        return layout.genes();
    }

    /** Splits a sub-network mask (one byte per gene) into per-group kept-channel indices. */
    public int[] keptIndices(byte[] mask, int group) {
        int start = layout.start(group);
        int n = 0;
        for (int i = 0; i < layout.size(group); i++) if (mask[start + i] != 0) n++;
        int[] kept = new int[n];
        n = 0;
        for (int i = 0; i < layout.size(group); i++) if (mask[start + i] != 0) kept[n++] = i;
        return kept;
    }
}
