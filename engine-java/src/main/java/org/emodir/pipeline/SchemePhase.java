package org.emodir.pipeline;

import java.util.List;
import org.emodir.scheme.GpirEntry;
import org.emodir.scheme.GpirRanker;
import org.emodir.scheme.JointScheme;
import org.emodir.scheme.JointSchemeSolver;
import org.emodir.scheme.TradeoffCurve;
import org.emodir.search.SubnetFront;

/** GPIR ranking, greedy and exact joint schemes, and the trade-off curve; the exact scheme is applied. */
final class SchemePhase {
    /** The applied scheme with the MACs and parameters the pruned network really keeps. */
    record Chosen(
            List<GpirEntry> ranking,
            JointScheme greedy,
            JointScheme exact,
            TradeoffCurve tradeoff,
            byte[] networkMask,
            long macs,
            long params,
            double flopsReduction,
            double paramsReduction) {
        JointScheme applied() {
            return exact;
        }
    }

    private SchemePhase() {}

    static Chosen run(RunInputs in, GpirPhase.Measured measured, PhaseLog phases) throws java.io.IOException {
        PruneConfig cfg = in.cfg();
        return phases.timed(
                "scheme", cfg.target().kind() + " reduction >= " + cfg.target().fraction(), () -> {
                    List<SubnetFront> fronts = measured.fronts();
                    JointScheme exact = JointSchemeSolver.solve(fronts, in.networkCost(), cfg.target());
                    // Sub-network costs add up exactly where cuts are residual-tied (ResNets); where a sub-network's
                    // pruned
                    // output feeds the next one (VGG) the network removes more than predicted, never less.
                    byte[] mask = NetworkMasks.of(in, exact.choices());
                    var groups = in.spec().prunableGroups();
                    long macs = in.cost().denseMacs() - in.cost().removedMacs(groups, mask, 0);
                    long params = in.cost().denseParams() - in.cost().removedParams(groups, mask, 0);
                    if (macs > exact.macs() || params > exact.params()) {
                        throw new IllegalStateException("the pruned network keeps " + macs + " MACs / " + params
                                + " params, more than the scheme's " + exact.macs() + " / " + exact.params());
                    }
                    Chosen c = new Chosen(
                            GpirRanker.rank(fronts, in.networkCost()),
                            GpirRanker.greedy(fronts, in.networkCost(), cfg.target()),
                            exact,
                            TradeoffCurve.sweep(
                                    fronts,
                                    in.networkCost(),
                                    cfg.target().kind(),
                                    TradeoffCurve.evenTargets(cfg.tradeoffStep())),
                            mask,
                            macs,
                            params,
                            1.0 - (double) macs / in.cost().denseMacs(),
                            1.0 - (double) params / in.cost().denseParams());
                    phases.progress()
                            .message(String.format(
                                    "scheme: FLOPs -%.1f%%, params -%.1f%%, predicted impairment %.4f",
                                    100 * c.flopsReduction(), 100 * c.paramsReduction(), exact.predictedImpairment()));
                    return c;
                });
    }
}
