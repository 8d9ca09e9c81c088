package org.emodir.emodir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Exact joint scheme: the multiple-choice knapsack "one solution per front, removal at least
 * the target, least total impairment".
 *
 * <p>Dynamic programming over fronts on exact integer removals (no discretisation), keeping
 * after each front only the partial choices that no other partial choice dominates (removes at
 * least as much for at most the same impairment). Removal is capped at the required amount,
 * because removing more earns nothing. A dominated partial choice can never complete to a better
 * scheme than its dominator (costs add), so the optimum survives and the result is exact. Partial
 * choices that cannot reach the target, or cannot beat the greedy scheme, are dropped early.
 */
public final class JointSchemeSolver {
    private JointSchemeSolver() {}

    /** Slack for the bound against the greedy scheme, so that rounding never drops the optimum. */
    private static final double BOUND_SLACK = 1e-9;

    /** @throws InfeasibleTargetException naming the largest reachable reduction */
    public static JointScheme solve(List<SubnetFront> fronts, NetworkCost cost, PruningTarget target) {
        List<FrontOptions> options = FrontOptions.of(fronts, cost, target.kind());
        FrontOptions.requireFeasible(options, cost, target);
        double upperBound = GpirRanker.greedy(fronts, cost, target).predictedImpairment();
        long required = target.requiredRemoval(cost);
        int n = options.size();
        long[] suffixMaxRemoved = new long[n + 1];
        double[] suffixMinImpairment = new double[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            FrontOptions o = options.get(i);
            suffixMaxRemoved[i] = suffixMaxRemoved[i + 1] + o.maxRemoved();
            suffixMinImpairment[i] = suffixMinImpairment[i + 1] + Arrays.stream(o.impairment).min().orElseThrow();
        }
        double slack = BOUND_SLACK * (1 + Math.abs(upperBound));

        Layer layer = Layer.start();
        List<Layer> layers = new ArrayList<>(n + 1);
        layers.add(layer);
        for (int i = 0; i < n; i++) {
            FrontOptions o = options.get(i);
            int cap = layer.size * o.removed.length;
            long[] rem = new long[cap];
            double[] imp = new double[cap];
            int[] parent = new int[cap];
            int[] choice = new int[cap];
            int count = 0;
            for (int s = 0; s < layer.size; s++) {
                for (int c = 0; c < o.removed.length; c++) {
                    long r = Math.min(required, layer.removed[s] + o.removed[c]);
                    double m = layer.impairment[s] + o.impairment[c];
                    if (r + suffixMaxRemoved[i + 1] < required || m + suffixMinImpairment[i + 1] > upperBound + slack) {
                        continue;
                    }
                    rem[count] = r;
                    imp[count] = m;
                    parent[count] = s;
                    choice[count] = c;
                    count++;
                }
            }
            layer = Layer.nondominated(rem, imp, parent, choice, count);
            layers.add(layer);
        }
        int best = -1;
        for (int s = 0; s < layer.size; s++) {
            if (layer.removed[s] >= required && (best < 0 || layer.impairment[s] < layer.impairment[best])) {
                best = s;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("exact solver lost every feasible scheme; the greedy bound is inconsistent");
        }
        SubnetSolution[] chosen = new SubnetSolution[n];
        for (int i = n; i >= 1; i--) {
            Layer l = layers.get(i);
            chosen[i - 1] = options.get(i - 1).solutions.get(l.choice[best]);
            best = l.parent[best];
        }
        return JointScheme.of(fronts, List.of(chosen), cost, JointScheme.Method.EXACT);
    }

    /** Partial choices after some fronts: removal, impairment, and the way back to the choices made. */
    private record Layer(long[] removed, double[] impairment, int[] parent, int[] choice, int size) {

        static Layer start() {
            return new Layer(new long[] {0}, new double[] {0.0}, new int[] {-1}, new int[] {-1}, 1);
        }

        /** Keeps the candidates no other candidate dominates; among exact ties, the first one. */
        static Layer nondominated(long[] rem, double[] imp, int[] parent, int[] choice, int count) {
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            // Most removal first; for equal removal least impairment first; stable for ties.
            Arrays.sort(order, (a, b) -> rem[a] != rem[b] ? Long.compare(rem[b], rem[a]) : Double.compare(imp[a], imp[b]));
            long[] outRem = new long[count];
            double[] outImp = new double[count];
            int[] outParent = new int[count];
            int[] outChoice = new int[count];
            int size = 0;
            double bestImpairment = Double.POSITIVE_INFINITY;
            for (int idx : order) {
                if (imp[idx] < bestImpairment) {
                    bestImpairment = imp[idx];
                    outRem[size] = rem[idx];
                    outImp[size] = imp[idx];
                    outParent[size] = parent[idx];
                    outChoice[size] = choice[idx];
                    size++;
                }
            }
            return new Layer(Arrays.copyOf(outRem, size), Arrays.copyOf(outImp, size), Arrays.copyOf(outParent, size),
                    Arrays.copyOf(outChoice, size), size);
        }
    }
}
