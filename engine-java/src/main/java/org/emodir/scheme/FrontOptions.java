package org.emodir.scheme;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * The choices a joint-scheme solver has for one front: its measured solutions as points
 * (removed cost, global impairment), checked against the whole network's totals.
 */
final class FrontOptions {
    final SubnetFront front;
    final List<SubnetSolution> solutions;
    final long[] removed;
    final double[] impairment;

    private FrontOptions(SubnetFront front, PruningTarget.Kind kind) {
        this.front = front;
        PruningTarget measure = new PruningTarget(kind, 0.0);
        List<SubnetSolution> usable = new ArrayList<>();
        for (SubnetSolution s : front.solutions()) {
            if (s.isDense() || s.hasGlobalImpairment()) {
                // Keep-all removes nothing and so impairs nothing, measured or not.
                usable.add(s.isDense() ? s.withGlobalImpairment(0.0) : s);
            }
        }
        this.solutions = List.copyOf(usable);
        this.removed = new long[usable.size()];
        this.impairment = new double[usable.size()];
        for (int i = 0; i < usable.size(); i++) {
            removed[i] = measure.removedBy(front, usable.get(i));
            impairment[i] = usable.get(i).globalImpairment();
        }
    }

    static List<FrontOptions> of(List<SubnetFront> fronts, NetworkCost cost, PruningTarget.Kind kind) {
        if (fronts.isEmpty()) {
            throw new IllegalArgumentException("no sub-network fronts to combine");
        }
        long denseMacs = 0;
        long denseParams = 0;
        List<FrontOptions> out = new ArrayList<>(fronts.size());
        for (SubnetFront f : fronts) {
            denseMacs += f.denseMacs();
            denseParams += f.denseParams();
            out.add(new FrontOptions(f, kind));
        }
        if (denseMacs > cost.totalMacs() || denseParams > cost.totalParams()) {
            throw new IllegalArgumentException("sub-networks' dense costs (macs " + denseMacs + ", params "
                    + denseParams + ") exceed the whole network's (macs " + cost.totalMacs() + ", params "
                    + cost.totalParams() + ")");
        }
        return out;
    }

    long maxRemoved() {
        long max = 0;
        for (long r : removed) {
            max = Math.max(max, r);
        }
        return max;
    }

    /** Throws when even the most pruned choice of every front misses the target. */
    static void requireFeasible(List<FrontOptions> options, NetworkCost cost, PruningTarget target) {
        long reachable = 0;
        for (FrontOptions o : options) {
            reachable += o.maxRemoved();
        }
        if (reachable < target.requiredRemoval(cost)) {
            throw new InfeasibleTargetException(target, (double) reachable / target.total(cost));
        }
    }

    /**
     * Indices of the lower convex hull of the (removed, impairment) points, from keep-all to the
     * most pruned solution: the upgrades worth making in order of increasing marginal cost.
     */
    int[] lowerHull() {
        Integer[] order = new Integer[removed.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(
                order,
                Comparator.<Integer>comparingLong(i -> removed[i])
                        .thenComparingDouble(i -> impairment[i])
                        .thenComparingInt(i -> i));
        int[] hull = new int[order.length];
        int n = 0;
        for (int idx : order) {
            if (n > 0 && removed[hull[n - 1]] == removed[idx]) {
                continue; // same removal, higher (or equal) impairment: never better
            }
            while (n >= 2 && !turnsLeft(hull[n - 2], hull[n - 1], idx)) {
                n--;
            }
            hull[n++] = idx;
        }
        return java.util.Arrays.copyOf(hull, n);
    }

    private boolean turnsLeft(int a, int b, int c) {
        double abx = removed[b] - removed[a];
        double aby = impairment[b] - impairment[a];
        double acx = removed[c] - removed[a];
        double acy = impairment[c] - impairment[a];
        return abx * acy - aby * acx > 0;
    }
}
