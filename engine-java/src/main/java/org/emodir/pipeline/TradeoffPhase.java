package org.emodir.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.emodir.evo.Metrics;
import org.emodir.scheme.TradeoffCurve;

/** The EMO-DIR trade-off curve's schemes measured on the selection images, and their hypervolume. */
final class TradeoffPhase {
    /** Whole-network hypervolume reference: (all FLOPs kept, cross-entropy of a uniform guess = ln(classes)). */
    static final double HV_REF_FLOPS = 1.0;

    /** (remaining FLOPs ratio, selection CE) of every distinct scheme, and their hypervolume. */
    record Tradeoff(List<double[]> points, double hypervolume) {}

    private TradeoffPhase() {}

    static Tradeoff run(RunInputs in, Features f, SchemePhase.Chosen chosen, PhaseLog phases) throws IOException {
        return phases.run(
                "hypervolume",
                "EMO-DIR trade-off on the selection images",
                Tradeoff.class,
                () -> measure(in, f, chosen.tradeoff()));
    }

    private static Tradeoff measure(RunInputs in, Features f, TradeoffCurve curve) {
        // Neighbouring targets often share a scheme: measure each distinct network once.
        Map<String, byte[]> distinct = new LinkedHashMap<>();
        for (TradeoffCurve.Point p : curve.points()) {
            byte[] m = NetworkMasks.of(in, p.exact().choices());
            distinct.putIfAbsent(Arrays.toString(m), m);
        }
        return measured(in, f, new ArrayList<>(distinct.values()));
    }

    /**
     * Points of whole-network masks on the selection images (disjoint from the search's and GPIR's) and their
     * hypervolume; also the whole-network baseline's.
     */
    static Tradeoff measured(RunInputs in, Features f, List<byte[]> masks) {
        double[][] r = NetworkMasks.lossAndTop1(in, f, f.selectionSet(in), masks);
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < r.length; i++) {
            points.add(new double[] {NetworkMasks.remainingRatio(in, masks.get(i)), r[i][0]});
        }
        return new Tradeoff(points, hypervolume(in, points));
    }

    /** Hypervolume of (remaining FLOPs ratio, CE) points against (1, ln classes): a uniform guess at full cost. */
    static double hypervolume(RunInputs in, List<double[]> points) {
        return Metrics.hypervolume(points, HV_REF_FLOPS, Math.log(in.spec().numClasses()));
    }
}
