package org.emodir.scheme;

import java.util.ArrayList;
import java.util.List;
import org.emodir.evo.Metrics;
import org.emodir.search.SubnetFront;

/**
 * Whole-network trade-off: for a sweep of reduction targets, the greedy and the exact joint
 * schemes. Targets beyond the reachable maximum end the sweep.
 */
public record TradeoffCurve(PruningTarget.Kind kind, List<Point> points) {

    public record Point(double target, JointScheme greedy, JointScheme exact) {}

    public TradeoffCurve {
        points = List.copyOf(points);
    }

    public static TradeoffCurve sweep(
            List<SubnetFront> fronts, NetworkCost cost, PruningTarget.Kind kind, double[] targets) {
        double[] sorted = targets.clone();
        java.util.Arrays.sort(sorted);
        List<Point> points = new ArrayList<>(sorted.length);
        for (double t : sorted) {
            PruningTarget target = new PruningTarget(kind, t);
            try {
                points.add(new Point(
                        t, GpirRanker.greedy(fronts, cost, target), JointSchemeSolver.solve(fronts, cost, target)));
            } catch (InfeasibleTargetException beyondReach) {
                break;
            }
        }
        return new TradeoffCurve(kind, points);
    }

    /** Evenly spaced targets step, 2*step, ... below 1. */
    public static double[] evenTargets(double step) {
        if (!(step > 0 && step < 1)) {
            throw new IllegalArgumentException("target step must be in (0, 1), got " + step);
        }
        int n = (int) Math.floor((1.0 - 1e-12) / step);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (i + 1) * step;
        }
        return out;
    }

    /** Hypervolume of the exact curve as (remaining FLOPs ratio, impairment) points. */
    public double exactHypervolume(double refRemainingRatio, double refImpairment) {
        List<double[]> pts = new ArrayList<>(points.size());
        for (Point p : points) {
            pts.add(new double[] {1.0 - p.exact().flopsReduction(), p.exact().predictedImpairment()});
        }
        return Metrics.hypervolume(pts, refRemainingRatio, refImpairment);
    }
}
