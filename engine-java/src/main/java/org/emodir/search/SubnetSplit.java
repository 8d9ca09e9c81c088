package org.emodir.search;

import java.util.ArrayList;
import java.util.List;
import org.emodir.evo.MaskLayout;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;

/**
 * Divide and conquer: cuts a network into sub-networks searched independently. By default one sub-network per
 * stage: the 3 stages of a CIFAR ResNet, the 4 of ResNet-50, the 5 blocks between poolings of VGG-16
 * (NetSpec already models those blocks as stages); finer splits cut every stage into equal runs of blocks.
 * Cuts fall only between blocks, so residual-tied channels never cross a cut pruned. Ranges without prunable
 * channels are skipped.
 */
public final class SubnetSplit {
    /** Channels every group keeps at least: {@code max(minChannels, ceil(minFraction * width))}, capped at the width. */
    public record MinKeep(int minChannels, double minFraction) {
        public static final MinKeep DEFAULT = new MinKeep(4, 0.1);

        public MinKeep {
            if (minChannels < 1) throw new IllegalArgumentException("minChannels must be >= 1, got " + minChannels);
            if (!(minFraction >= 0 && minFraction < 1)) {
                throw new IllegalArgumentException("minFraction must be in [0, 1), got " + minFraction);
            }
        }

        public int of(int width) {
            return Math.min(width, Math.max(minChannels, (int) Math.ceil(minFraction * width)));
        }
    }

    private SubnetSplit() {}

    /** One sub-network per stage. */
    public static List<Subnet> of(NetSpec spec, MinKeep minKeep) {
        return of(spec, minKeep, 1);
    }

    /**
     * {@code partsPerStage} sub-networks per stage (2 = half-stages), each a run of consecutive blocks; the first
     * {@code blocks % parts} parts get one block more. A stage with fewer blocks than parts gets one part per block.
     */
    public static List<Subnet> of(NetSpec spec, MinKeep minKeep, int partsPerStage) {
        if (partsPerStage < 1)
            throw new IllegalArgumentException("sub-networks per stage must be >= 1, got " + partsPerStage);
        List<Subnet> subnets = new ArrayList<>();
        for (int s = 0; s < spec.numStages(); s++) {
            int first = spec.stageStart(s), blocks = spec.stageStart(s + 1) - first;
            int parts = Math.min(partsPerStage, blocks);
            int from = first;
            for (int p = 0; p < parts; p++) {
                int to = from + blocks / parts + (p < blocks % parts ? 1 : 0);
                List<ChannelGroup> groups = new ArrayList<>();
                for (ChannelGroup g : spec.prunableGroups()) if (g.block() >= from && g.block() < to) groups.add(g);
                if (!groups.isEmpty()) {
                    int[] sizes =
                            groups.stream().mapToInt(ChannelGroup::denseWidth).toArray();
                    int[] min = groups.stream()
                            .mapToInt(g -> minKeep.of(g.denseWidth()))
                            .toArray();
                    subnets.add(new Subnet(
                            subnets.size(),
                            spec.blockRangeName(from, to),
                            from,
                            to,
                            groups,
                            new MaskLayout(sizes, min)));
                }
                from = to;
            }
        }
        return List.copyOf(subnets);
    }

    /** Every prunable group of the network as one decision vector (the whole-network baseline). */
    public static Subnet whole(NetSpec spec, MinKeep minKeep) {
        List<ChannelGroup> groups = spec.prunableGroups();
        int[] sizes = groups.stream().mapToInt(ChannelGroup::denseWidth).toArray();
        int[] min = groups.stream().mapToInt(g -> minKeep.of(g.denseWidth())).toArray();
        return new Subnet(0, "network", 0, spec.numBlocks(), groups, new MaskLayout(sizes, min));
    }
}
