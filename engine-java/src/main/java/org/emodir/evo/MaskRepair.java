package org.emodir.evo;

/**
 * Re-enables channels in any layer that variation left with fewer than its min-keep, so that no
 * candidate removes a whole layer. Channels are turned back on starting at a random position
 * in the group, so repair does not always favour the first channels.
 */
public final class MaskRepair {
    private final MaskLayout layout;

    public MaskRepair(MaskLayout layout) {
        this.layout = layout;
    }

    public void repair(Population pop, int from, int to, Rng rng) {
        layout.requireMatches(pop);
        for (int row = from; row < to; row++) {
            for (int group = 0; group < layout.groups(); group++) {
                int missing = layout.minKeep(group) - layout.kept(pop, row, group);
                if (missing <= 0) {
                    continue;
                }
                int size = layout.size(group);
                int start = layout.start(group);
                int offset = rng.nextInt(size);
                for (int k = 0; k < size && missing > 0; k++) {
                    int gene = start + (offset + k) % size;
                    if (pop.bit(row, gene) == 0) {
                        pop.setBit(row, gene, 1);
                        missing--;
                    }
                }
            }
        }
    }
}
