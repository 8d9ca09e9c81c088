package org.emodir.search;

import java.util.List;
import org.emodir.evo.MaskLayout;
import org.emodir.model.ChannelGroup;

/**
 * One sub-network of the divide-and-conquer split: the global blocks {@code [firstBlock, endBlock)}
 * ({@link org.emodir.model.NetSpec#numBlocks()} numbering; a whole stage or part of one) and the prunable groups
 * inside them. Its decision vector has one bit per prunable channel of {@link #groups()}, group after group,
 * which is also the gene order of the native programs.
 */
public record Subnet(
        int index, String name, int firstBlock, int endBlock, List<ChannelGroup> groups, MaskLayout layout) {
    public Subnet {
        if (firstBlock < 0 || endBlock <= firstBlock) {
            throw new IllegalArgumentException(
                    "sub-network " + name + ": empty block range [" + firstBlock + ", " + endBlock + ")");
        }
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
