package org.emodir.train;

import java.util.List;
import org.emodir.model.ArchitectureFile;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.ChannelPruner;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.io.StateDict;

/**
 * The classic uniform-width baseline: every prunable group keeps the same fraction {@code r} of its channels
 * ({@code ceil(r * width)}, at least one), the filters with the largest L1 norm; {@code r} is the largest ratio whose
 * whole-network MACs reduction still meets the target.
 */
public final class UniformBaseline {
    /** Bisection steps on the ratio: 2^-60 is far below one channel of any group. */
    private static final int BISECTION_STEPS = 60;

    private UniformBaseline() {}

    /** Prunes the dense {@code weights} to the uniform ratio reaching {@code flopsReduction} (e.g. 0.5 = half the MACs). */
    public static PrunedModel atFlops(NetSpec dense, StateDict weights, double flopsReduction) {
        ChannelPruner.Result r = ChannelPruner.prune(dense, weights, keptAtFlops(dense, weights, flopsReduction));
        return new PrunedModel(r.spec(), r.weights());
    }

    /** The channels {@link #atFlops} keeps: per group, dense indices of the largest-L1 filters. */
    public static List<int[]> keptAtFlops(NetSpec dense, StateDict weights, double flopsReduction) {
        return ChannelPruner.l1Keep(dense, weights, widthsAt(dense, keepRatio(dense, flopsReduction)));
    }

    /** The largest keep ratio in (0, 1] whose uniform widths reduce the MACs by at least {@code flopsReduction}. */
    public static double keepRatio(NetSpec dense, double flopsReduction) {
        if (!dense.isDense())
            throw new IllegalArgumentException("uniform baseline starts from the dense network, got " + dense);
        if (!(flopsReduction >= 0 && flopsReduction < 1)) {
            throw new IllegalArgumentException("FLOPs reduction must be in [0, 1), got " + flopsReduction);
        }
        double lo = 0; // widths at ratio -> 0 are all 1: the most a uniform ratio can remove
        if (reduction(dense, widthsAt(dense, Double.MIN_VALUE)) < flopsReduction) {
            throw new IllegalArgumentException(dense + ": a uniform width cannot remove " + flopsReduction
                    + " of the MACs; at one channel per group the reduction is "
                    + reduction(dense, widthsAt(dense, Double.MIN_VALUE)));
        }
        double hi = 1;
        if (reduction(dense, widthsAt(dense, hi)) >= flopsReduction) return hi;
        for (int i = 0; i < BISECTION_STEPS; i++) {
            double mid = (lo + hi) / 2;
            if (reduction(dense, widthsAt(dense, mid)) >= flopsReduction) lo = mid;
            else hi = mid;
        }
        return lo > 0 ? lo : Double.MIN_VALUE;
    }

    /** Uniform widths: {@code ceil(ratio * denseWidth)}, clamped to [1, denseWidth]. */
    public static ChannelConfig widthsAt(NetSpec dense, double ratio) {
        int[] w = new int[dense.prunableGroups().size()];
        for (ChannelGroup g : dense.prunableGroups()) {
            w[g.index()] = (int) Math.max(1, Math.min(g.denseWidth(), Math.ceil(ratio * g.denseWidth() - 1e-9)));
        }
        return new ChannelConfig(w);
    }

    /** Fraction of the dense whole-network MACs removed by {@code widths}. */
    public static double reduction(NetSpec dense, ChannelConfig widths) {
        long d = ArchitectureFile.flops(dense).totalMacs();
        long p = ArchitectureFile.flops(dense.withChannels(widths)).totalMacs();
        return 1.0 - (double) p / d;
    }
}
