package org.emodir.emodir.tuning;

import org.emodir.emodir.PruningTarget;
import org.emodir.emodir.search.CostModel;
import org.emodir.emodir.split.SubnetSplit;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;

/**
 * The uniform-width baseline: one keep ratio r for every prunable group (width = max(min-keep,
 * round(r x dense width))), the largest r whose network still meets the target, found by bisection.
 */
public final class UniformWidth {
    private UniformWidth() {}

    public static ChannelConfig atTarget(NetSpec dense, CostModel cost, PruningTarget target, SubnetSplit.MinKeep minKeep) {
        double lo = 0, hi = 1;
        ChannelConfig best = widths(dense, 0, minKeep);
        if (!meets(dense, cost, best, target)) {
            throw new IllegalArgumentException("uniform baseline cannot reach " + target + " even at the minimum widths");
        }
        for (int it = 0; it < 40; it++) {
            double mid = (lo + hi) / 2;
            ChannelConfig c = widths(dense, mid, minKeep);
            if (meets(dense, cost, c, target)) {
                lo = mid;
                best = c;
            } else {
                hi = mid;
            }
        }
        return best;
    }

    static ChannelConfig widths(NetSpec dense, double ratio, SubnetSplit.MinKeep minKeep) {
        return new ChannelConfig(dense.prunableGroups().stream()
                .mapToInt(g -> Math.max(minKeep.of(g.denseWidth()), (int) Math.round(ratio * g.denseWidth()))).toArray());
    }

    private static boolean meets(NetSpec dense, CostModel cost, ChannelConfig c, PruningTarget target) {
        int[] kept = c.toArray();
        long removed = target.kind() == PruningTarget.Kind.FLOPS
                ? cost.removedMacs(dense.prunableGroups(), kept)
                : removedParams(dense, cost, kept);
        long total = target.kind() == PruningTarget.Kind.FLOPS ? cost.denseMacs() : cost.denseParams();
        return removed >= Math.ceil(target.fraction() * total);
    }

    private static long removedParams(NetSpec dense, CostModel cost, int[] kept) {
        byte[] mask = new byte[dense.prunableGroups().stream().mapToInt(ChannelGroup::denseWidth).sum()];
        int pos = 0;
        for (ChannelGroup g : dense.prunableGroups()) {
            for (int i = 0; i < g.denseWidth(); i++) mask[pos + i] = (byte) (i < kept[g.index()] ? 1 : 0);
            pos += g.denseWidth();
        }
        return cost.removedParams(dense.prunableGroups(), mask, 0);
    }
}
