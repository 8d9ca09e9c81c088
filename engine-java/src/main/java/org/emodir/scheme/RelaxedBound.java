package org.emodir.scheme;

import java.util.ArrayList;
import java.util.List;

/**
 * Lower bound on the impairment a group of fronts must add to remove at least a given amount:
 * the LP relaxation of the multiple-choice knapsack, i.e. all fronts' lower-hull segments taken
 * in order of increasing slope (fractional steps allowed). No integer choice can do better.
 */
final class RelaxedBound {
    private final double[] x; // cumulative removal at each breakpoint, ascending
    private final double[] g; // relaxed least impairment at each breakpoint (convex in x)
    private final int argMin;

    RelaxedBound(List<FrontOptions> fronts) {
        record Segment(double dx, double dy) {}
        List<Segment> segments = new ArrayList<>();
        double x0 = 0;
        double g0 = 0;
        for (FrontOptions o : fronts) {
            int[] hull = o.lowerHull();
            x0 += o.removed[hull[0]];
            g0 += o.impairment[hull[0]];
            for (int k = 1; k < hull.length; k++) {
                segments.add(new Segment(
                        o.removed[hull[k]] - o.removed[hull[k - 1]],
                        o.impairment[hull[k]] - o.impairment[hull[k - 1]]));
            }
        }
        segments.sort((a, b) -> Double.compare(a.dy() / a.dx(), b.dy() / b.dx()));
        x = new double[segments.size() + 1];
        g = new double[segments.size() + 1];
        x[0] = x0;
        g[0] = g0;
        int best = 0;
        for (int k = 0; k < segments.size(); k++) {
            x[k + 1] = x[k] + segments.get(k).dx();
            g[k + 1] = g[k] + segments.get(k).dy();
            if (g[k + 1] < g[best]) {
                best = k + 1;
            }
        }
        argMin = best;
    }

    /** Least relaxed impairment to remove at least {@code need}; +infinity when out of reach. */
    double atLeast(double need) {
        double t = Math.max(need, x[argMin]); // removing more than asked is allowed, so take the cheapest point beyond
        int last = x.length - 1;
        if (t > x[last]) {
            return Double.POSITIVE_INFINITY;
        }
        int lo = 0;
        int hi = last;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (x[mid] <= t) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (hi == lo || x[hi] == x[lo]) {
            return g[lo];
        }
        return g[lo] + (g[hi] - g[lo]) * (t - x[lo]) / (x[hi] - x[lo]);
    }

    /** Least relaxed impairment at all, whatever the removal. */
    double minimum() {
        return g[argMin];
    }
}
