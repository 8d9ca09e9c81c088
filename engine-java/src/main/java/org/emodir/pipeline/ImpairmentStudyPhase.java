package org.emodir.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.Objectives;
import org.emodir.evo.MaskLayout;
import org.emodir.gpir.AdaptiveBnGpirMeasurer;
import org.emodir.gpir.GpirMeasurer;
import org.emodir.gpir.Spearman;
import org.emodir.model.CostModel;
import org.emodir.search.MaskScores;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * Which local measure predicts the whole network's damage? Along a front both measures and GPIR fall with FLOPs,
 * so their correlation there says little. Here every sub-network gets random masks that keep the same number of
 * channels in every group (equal FLOPs), and each local measure (normalised output MSE, feature-selector CE, both
 * on the calibration images) is rank-correlated with the measured global impairment (held-out images, as GPIR).
 */
final class ImpairmentStudyPhase {
    static final int MASKS = 48;
    static final double KEEP = 0.5;

    /** One sub-network: the FLOPs ratio range of its masks (equal by construction) and both rank correlations. */
    record SubnetStudy(String subnet, double flopsMin, double flopsMax, double spearmanMse, double spearmanSelector) {}

    record Study(int masksPerSubnet, double keep, List<SubnetStudy> subnets, double meanMse, double meanSelector) {}

    private ImpairmentStudyPhase() {}

    /** Null unless the run compares the measures ({@code --impairment both}). */
    static Study run(RunInputs in, Features f, PhaseLog phases) throws IOException {
        if (in.cfg().impairment() != PruneConfig.Impairment.BOTH) return null;
        return phases.run(
                "impairment-study",
                MASKS + " random masks per sub-network keeping " + KEEP + " of every group",
                Study.class,
                () -> study(in, f));
    }

    private static Study study(RunInputs in, Features f) {
        List<SubnetStudy> out = new ArrayList<>();
        for (Subnet sn : in.subnets()) {
            List<byte[]> masks = randomMasks(sn, in.cfg().seed() * 7919 + sn.index());
            double[] mse, selector;
            try (NativeCpuEvaluator ev = SearchPhase.evaluator(in, f, sn, false)) {
                Objectives o = MaskScores.of(ev, masks);
                double scale = f.calib().meanSquare(sn.endBlock());
                mse = new double[masks.size()];
                for (int i = 0; i < mse.length; i++) mse[i] = o.mse(i) / scale;
            }
            try (NativeCpuEvaluator ev = SearchPhase.evaluator(in, f, sn, true)) {
                Objectives o = MaskScores.of(ev, masks);
                selector = new double[masks.size()];
                for (int i = 0; i < selector.length; i++) selector[i] = o.crossEntropy(i);
            }
            SubnetFront front = front(in, sn, masks, mse);
            SubnetFront measured = in.cfg().gpirAdaptiveBn()
                    ? new AdaptiveBnGpirMeasurer(
                                    in.spec(), in.weights(), f.calib(), f.heldOut(), NetworkMasks.ADAPTIVE_BN_IMAGES)
                            .measure(sn, front)
                            .front()
                    : new GpirMeasurer(
                                    in.spec(),
                                    in.weights(),
                                    f.heldOut(),
                                    in.cfg().threads())
                            .measure(sn, front)
                            .front();
            double[] global = new double[masks.size()];
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (SubnetSolution s : measured.solutions()) {
                if (s.isDense()) continue;
                global[s.index()] = s.globalImpairment();
                lo = Math.min(lo, s.flopsRatio());
                hi = Math.max(hi, s.flopsRatio());
            }
            out.add(new SubnetStudy(sn.name(), lo, hi, Spearman.of(mse, global), Spearman.of(selector, global)));
        }
        return new Study(
                MASKS,
                KEEP,
                out,
                out.stream().mapToDouble(SubnetStudy::spearmanMse).average().orElse(Double.NaN),
                out.stream()
                        .mapToDouble(SubnetStudy::spearmanSelector)
                        .average()
                        .orElse(Double.NaN));
    }

    /** Masks keeping exactly {@code max(minKeep, round(KEEP * size))} random channels of every group. */
    static List<byte[]> randomMasks(Subnet sn, long seed) {
        MaskLayout layout = sn.layout();
        Random rng = new Random(seed);
        List<byte[]> masks = new ArrayList<>();
        for (int m = 0; m < MASKS; m++) {
            byte[] mask = new byte[sn.genes()];
            for (int g = 0; g < layout.groups(); g++) {
                int size = layout.size(g);
                int keep = Math.min(size, Math.max(layout.minKeep(g), (int) Math.round(KEEP * size)));
                int[] order = new int[size];
                for (int i = 0; i < size; i++) order[i] = i;
                for (int i = size - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int i = 0; i < keep; i++) mask[layout.start(g) + order[i]] = 1;
            }
            masks.add(mask);
        }
        return masks;
    }

    private static SubnetFront front(RunInputs in, Subnet sn, List<byte[]> masks, double[] local) {
        CostModel cost = in.cost();
        long dense = cost.blockMacs(sn.firstBlock(), sn.endBlock());
        long denseParams = cost.blockParams(sn.firstBlock(), sn.endBlock());
        List<SubnetSolution> sols = new ArrayList<>();
        for (int i = 0; i < masks.size(); i++) {
            byte[] m = masks.get(i);
            long macs = dense - cost.removedMacsInBlocks(sn.firstBlock(), sn.endBlock(), sn.groups(), m, 0);
            long params = denseParams - cost.removedParamsInBlocks(sn.firstBlock(), sn.endBlock(), sn.groups(), m, 0);
            sols.add(new SubnetSolution(sn.index(), i, m, (double) macs / dense, macs, params, local[i], Double.NaN));
        }
        return new SubnetFront(sn.index(), sn.name(), dense, denseParams, sols);
    }
}
