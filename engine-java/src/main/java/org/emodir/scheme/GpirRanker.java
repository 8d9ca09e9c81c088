package org.emodir.scheme;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * Global performance impairment ranking: orders every measured front solution by the
 * whole-network impairment it costs per unit of whole-network FLOPs it removes, and builds a
 * joint scheme greedily from the cheapest upgrades.
 */
public final class GpirRanker {
    private GpirRanker() {}

    /**
     * Ranks all measured, non-dense solutions that remove FLOPs. Lower score first; ties go to
     * the larger removal, then to the lower sub-network and solution index.
     */
    public static List<GpirEntry> rank(List<SubnetFront> fronts, NetworkCost cost) {
        record Row(SubnetSolution s, long removed, double score) {}
        List<Row> rows = new ArrayList<>();
        for (SubnetFront f : fronts) {
            for (SubnetSolution s : f.solutions()) {
                long removed = f.denseMacs() - s.macs();
                if (s.isDense() || !s.hasGlobalImpairment() || removed <= 0) {
                    continue;
                }
                rows.add(new Row(s, removed, s.globalImpairment() / ((double) removed / cost.totalMacs())));
            }
        }
        rows.sort(Comparator.comparingDouble(Row::score)
                .thenComparing(Comparator.comparingLong(Row::removed).reversed())
                .thenComparingInt(r -> r.s().subnet())
                .thenComparingInt(r -> r.s().index()));
        List<GpirEntry> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            out.add(new GpirEntry(r.s().subnet(), r.s(), r.removed(), r.s().globalImpairment(), r.score(), i + 1));
        }
        return out;
    }

    /**
     * Starts from keep-all everywhere and repeatedly upgrades the sub-network whose next step on
     * the lower convex hull of its front costs the least impairment per removed unit, until the
     * target is met. Fast and usually near-optimal; {@link JointSchemeSolver} is exact.
     *
     * @throws InfeasibleTargetException naming the largest reachable reduction
     */
    public static JointScheme greedy(List<SubnetFront> fronts, NetworkCost cost, PruningTarget target) {
        List<FrontOptions> options = FrontOptions.of(fronts, cost, target.kind());
        FrontOptions.requireFeasible(options, cost, target);
        long required = target.requiredRemoval(cost);
        int[][] hulls = new int[options.size()][];
        int[] position = new int[options.size()];
        for (int i = 0; i < hulls.length; i++) {
            hulls[i] = options.get(i).lowerHull();
        }
        long removed = 0;
        for (int i = 0; i < hulls.length; i++) {
            removed += options.get(i).removed[hulls[i][0]];
        }
        while (removed < required) {
            int best = -1;
            double bestSlope = Double.POSITIVE_INFINITY;
            for (int i = 0; i < hulls.length; i++) {
                if (position[i] + 1 >= hulls[i].length) {
                    continue;
                }
                FrontOptions o = options.get(i);
                int from = hulls[i][position[i]];
                int to = hulls[i][position[i] + 1];
                double slope = (o.impairment[to] - o.impairment[from]) / (o.removed[to] - o.removed[from]);
                if (best < 0 || slope < bestSlope) {
                    best = i;
                    bestSlope = slope;
                }
            }
            FrontOptions o = options.get(best);
            removed += o.removed[hulls[best][position[best] + 1]] - o.removed[hulls[best][position[best]]];
            position[best]++;
        }
        List<SubnetSolution> choices = new ArrayList<>(hulls.length);
        for (int i = 0; i < hulls.length; i++) {
            choices.add(options.get(i).solutions.get(hulls[i][position[i]]));
        }
        return JointScheme.of(fronts, choices, cost, JointScheme.Method.GREEDY);
    }
}
