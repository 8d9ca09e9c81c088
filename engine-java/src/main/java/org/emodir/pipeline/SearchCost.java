package org.emodir.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * EMO-DIR's search cost against the whole-network search's, compared at equal hypervolume (issue 15) instead of at a
 * configured budget ratio. Both trade-offs are measured on the same selection images, and every curve is thinned to
 * the same number of non-dominated points (the fewest any of them has), evenly along the FLOPs axis, so that a denser
 * curve does not win on point count. EMO-DIR's cost is its searches plus GPIR's measuring; the whole-network search's
 * cost after each leg is what it had spent by then. Where the whole-network curve reaches EMO-DIR's hypervolume, the
 * MACs it needed are interpolated linearly between legs; where it never does, the ratio is a lower bound.
 */
record SearchCost(
        int points,
        long emoDirMacs,
        double emoDirHypervolume,
        List<Leg> wholeNetwork,
        Double wholeNetworkMacsAtEqualHypervolume,
        double costRatioAtEqualHypervolume,
        boolean ratioIsLowerBound,
        Double wholeNetworkHypervolumeAtEqualCost) {

    /** The whole-network search after one leg: MACs spent and its thinned hypervolume. */
    record Leg(long macs, long evaluations, double hypervolume) {}

    /** {@code ceRef}: the hypervolume's reference cross-entropy (ln classes), at all FLOPs kept. */
    static SearchCost of(
            double ceRef, List<double[]> emoDirPoints, long emoDirMacs, List<BaselinePhase.Snapshot> snapshots) {
        int n = nonDominated(emoDirPoints).size();
        for (BaselinePhase.Snapshot s : snapshots)
            n = Math.min(n, nonDominated(s.points()).size());
        double emoHv = hv(thin(emoDirPoints, n), ceRef);
        List<Leg> legs = new ArrayList<>();
        for (BaselinePhase.Snapshot s : snapshots) {
            legs.add(new Leg(s.forwardMacs(), s.evaluations(), hv(thin(s.points(), n), ceRef)));
        }
        Double macsAtEqual = null;
        for (int i = 0; i < legs.size() && macsAtEqual == null; i++) {
            Leg l = legs.get(i);
            if (l.hypervolume() >= emoHv) {
                if (i == 0) {
                    macsAtEqual = (double) l.macs();
                } else {
                    Leg p = legs.get(i - 1);
                    double t = (emoHv - p.hypervolume()) / (l.hypervolume() - p.hypervolume());
                    macsAtEqual = p.macs() + t * (l.macs() - p.macs());
                }
            }
        }
        Leg last = legs.get(legs.size() - 1);
        double ratio = (macsAtEqual != null ? macsAtEqual : last.macs()) / (double) emoDirMacs;
        return new SearchCost(
                n, emoDirMacs, emoHv, legs, macsAtEqual, ratio, macsAtEqual == null, hypervolumeAt(legs, emoDirMacs));
    }

    /** The whole-network curve's hypervolume at {@code macs}, interpolated between legs; null outside them. */
    private static Double hypervolumeAt(List<Leg> legs, long macs) {
        for (int i = 0; i < legs.size(); i++) {
            Leg l = legs.get(i);
            if (l.macs() == macs) return l.hypervolume();
            if (i > 0 && legs.get(i - 1).macs() < macs && macs < l.macs()) {
                Leg p = legs.get(i - 1);
                double t = (double) (macs - p.macs()) / (l.macs() - p.macs());
                return p.hypervolume() + t * (l.hypervolume() - p.hypervolume());
            }
        }
        return null;
    }

    private static double hv(List<double[]> points, double ceRef) {
        return org.emodir.evo.Metrics.hypervolume(points, TradeoffPhase.HV_REF_FLOPS, ceRef);
    }

    /** The points no other point dominates (both objectives minimised), by ascending first coordinate. */
    static List<double[]> nonDominated(List<double[]> points) {
        List<double[]> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        List<double[]> out = new ArrayList<>();
        for (double[] p : sorted) {
            if (out.isEmpty() || p[1] < out.get(out.size() - 1)[1]) out.add(p);
        }
        return out;
    }

    /** {@code n} of the non-dominated points, evenly spaced by rank along the first coordinate (both ends kept). */
    static List<double[]> thin(List<double[]> points, int n) {
        List<double[]> nd = nonDominated(points);
        if (nd.size() <= n) return nd;
        List<double[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(nd.get(n == 1 ? 0 : (int) Math.round((double) k * (nd.size() - 1) / (n - 1))));
        }
        return out;
    }
}
