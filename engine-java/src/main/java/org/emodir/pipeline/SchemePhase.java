package org.emodir.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.emodir.scheme.GpirEntry;
import org.emodir.scheme.GpirRanker;
import org.emodir.scheme.JointScheme;
import org.emodir.scheme.SchemeCandidates;
import org.emodir.scheme.TradeoffCurve;
import org.emodir.search.SubnetFront;

/**
 * GPIR ranking, greedy and exact joint schemes, and the trade-off curve, on the fronts with negative (noise)
 * impairments taken as zero. The applied scheme is the exact one, or with {@code rescoreSchemes > 1} the best of the
 * few best predicted schemes measured as whole networks on the selection images (GPIR's sums need not add up).
 */
final class SchemePhase {
    /** The applied scheme with the MACs and parameters the pruned network really keeps. */
    record Chosen(
            List<GpirEntry> ranking,
            JointScheme greedy,
            JointScheme exact,
            JointScheme applied,
            Selection selection,
            TradeoffCurve tradeoff,
            byte[] networkMask,
            long macs,
            long params,
            double flopsReduction,
            double paramsReduction) {}

    /** One re-measured candidate: its prediction, and its whole-network CE/top-1 on the selection images. */
    record Candidate(double predictedImpairment, double flopsReduction, double selectionCe, double selectionTop1) {}

    /** The candidates in predicted order (the first is the exact scheme), which one was applied, on how many images. */
    record Selection(List<Candidate> candidates, int applied, int images) {}

    private SchemePhase() {}

    static Chosen run(RunInputs in, Features f, List<SubnetFront> measuredFronts, PhaseLog phases)
            throws java.io.IOException {
        PruneConfig cfg = in.cfg();
        List<SubnetFront> fronts = SchemeCandidates.nonNegative(measuredFronts);
        List<JointScheme> best = phases.timed(
                "scheme",
                cfg.target().kind() + " reduction >= " + cfg.target().fraction(),
                () -> SchemeCandidates.best(fronts, in.networkCost(), cfg.target(), cfg.rescoreSchemes()));
        Selection selection = best.size() < 2
                ? null
                : phases.run(
                        "scheme-selection",
                        best.size() + " best predicted schemes measured on "
                                + f.selectionSet(in).indices().length + " selection images",
                        Selection.class,
                        () -> select(in, f, best));
        JointScheme applied = selection == null || selection.applied() == 0
                ? best.get(0)
                : best.get(selection.applied()).as(JointScheme.Method.MEASURED);
        // Sub-network costs add up exactly where cuts are residual-tied (ResNets); where a sub-network's pruned output
        // feeds the next one (VGG) the network removes more than predicted, never less.
        byte[] mask = NetworkMasks.of(in, applied.choices());
        var groups = in.spec().prunableGroups();
        long macs = in.cost().denseMacs() - in.cost().removedMacs(groups, mask, 0);
        long params = in.cost().denseParams() - in.cost().removedParams(groups, mask, 0);
        if (macs > applied.macs() || params > applied.params()) {
            throw new IllegalStateException("the pruned network keeps " + macs + " MACs / " + params
                    + " params, more than the scheme's " + applied.macs() + " / " + applied.params());
        }
        Chosen c = new Chosen(
                GpirRanker.rank(fronts, in.networkCost()),
                GpirRanker.greedy(fronts, in.networkCost(), cfg.target()),
                best.get(0),
                applied,
                selection,
                TradeoffCurve.sweep(
                        fronts, in.networkCost(), cfg.target().kind(), TradeoffCurve.evenTargets(cfg.tradeoffStep())),
                mask,
                macs,
                params,
                1.0 - (double) macs / in.cost().denseMacs(),
                1.0 - (double) params / in.cost().denseParams());
        phases.progress()
                .message(String.format(
                        "scheme: FLOPs -%.1f%%, params -%.1f%%, predicted impairment %.4f%s",
                        100 * c.flopsReduction(),
                        100 * c.paramsReduction(),
                        applied.predictedImpairment(),
                        selection == null
                                ? ""
                                : String.format(
                                        ", candidate %d of %d by selection CE %.4f",
                                        selection.applied() + 1,
                                        best.size(),
                                        selection
                                                .candidates()
                                                .get(selection.applied())
                                                .selectionCe())));
        return c;
    }

    private static Selection select(RunInputs in, Features f, List<JointScheme> best) {
        List<byte[]> masks = new ArrayList<>();
        for (JointScheme j : best) masks.add(NetworkMasks.of(in, j.choices()));
        NetworkMasks.ImageSet images = f.selectionSet(in);
        double[][] r = NetworkMasks.lossAndTop1(in, f, images, masks);
        List<Candidate> out = new ArrayList<>();
        int applied = 0;
        for (int i = 0; i < best.size(); i++) {
            out.add(new Candidate(
                    best.get(i).predictedImpairment(),
                    1 - NetworkMasks.remainingRatio(in, masks.get(i)),
                    r[i][0],
                    r[i][1]));
            if (r[i][0] < r[applied][0]) applied = i;
        }
        return new Selection(out, applied, images.indices().length);
    }
}
