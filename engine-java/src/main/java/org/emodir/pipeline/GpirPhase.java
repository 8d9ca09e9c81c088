package org.emodir.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.emodir.gpir.AdaptiveBnGpirMeasurer;
import org.emodir.gpir.GpirMeasurer;
import org.emodir.gpir.Spearman;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/** Global performance impairment of every front solution, measured on the held-out images. */
final class GpirPhase {
    /** The fronts with global impairments, the dense reference, and how the search's measure agreed. */
    record Measured(
            List<SubnetFront> fronts,
            double denseLoss,
            double denseTop1,
            List<double[]> top1Drop,
            List<Double> localGlobalSpearman,
            long forwardMacs) {}

    private GpirPhase() {}

    static Measured run(RunInputs in, Features f, SearchPhase.Searched searched, PhaseLog phases) throws IOException {
        String detail = f.heldOut().images() + " held-out images"
                + (in.cfg().gpirAdaptiveBn() ? ", BN recalibrated on the calibration images" : "");
        return phases.run("gpir", detail, Measured.class, () -> measure(in, f, searched.fronts()));
    }

    private static Measured measure(RunInputs in, Features f, List<SubnetFront> fronts) {
        GpirMeasurer plain =
                new GpirMeasurer(in.spec(), in.weights(), f.heldOut(), in.cfg().threads());
        AdaptiveBnGpirMeasurer adaptive = in.cfg().gpirAdaptiveBn()
                ? new AdaptiveBnGpirMeasurer(
                        in.spec(), in.weights(), f.calib(), f.heldOut(), NetworkMasks.ADAPTIVE_BN_IMAGES)
                : null;
        List<SubnetFront> out = new ArrayList<>();
        List<double[]> drops = new ArrayList<>();
        double loss = Double.NaN, top1 = Double.NaN;
        for (Subnet sn : in.subnets()) {
            SubnetFront front = fronts.get(sn.index());
            GpirMeasurer.Measured r = adaptive != null ? adaptive.measure(sn, front) : plain.measure(sn, front);
            out.add(r.front());
            drops.add(r.top1Drop());
            loss = r.denseLoss();
            top1 = r.denseTop1();
        }
        return new Measured(
                List.copyOf(out),
                loss,
                top1,
                drops,
                localGlobalSpearman(out),
                forwardMacs(in, out, f.heldOut().images()));
    }

    /** GPIR's measuring cost: each pruned sub-network plus the dense rest of the network on the held-out images. */
    private static long forwardMacs(RunInputs in, List<SubnetFront> fronts, int images) {
        long total = 0;
        for (Subnet sn : in.subnets()) {
            long rest = in.cost().blockMacs(sn.endBlock(), in.spec().numBlocks());
            for (SubnetSolution sol : fronts.get(sn.index()).solutions()) {
                if (!sol.isDense()) total += (sol.macs() + rest) * images;
            }
        }
        return total;
    }

    /** Per sub-network: Spearman correlation of the search's impairment (normalised MSE) with the measured GPIR. */
    private static List<Double> localGlobalSpearman(List<SubnetFront> fronts) {
        List<Double> r = new ArrayList<>();
        for (SubnetFront f : fronts) {
            List<SubnetSolution> sols =
                    f.solutions().stream().filter(s -> !s.isDense()).toList();
            r.add(Spearman.of(
                    sols.stream().mapToDouble(SubnetSolution::localImpairment).toArray(),
                    sols.stream().mapToDouble(SubnetSolution::globalImpairment).toArray()));
        }
        return r;
    }
}
