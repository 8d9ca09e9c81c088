package org.emodir.scheme;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * Exact joint scheme: the multiple-choice knapsack "one solution per front, removal at least
 * the target, least total impairment".
 *
 * <p>Dynamic programming over fronts on exact integer removals (no discretisation), keeping
 * after each front only the partial choices that no other partial choice dominates (removes at
 * least as much for at most the same impairment). Removal is capped at the required amount,
 * because removing more earns nothing. A dominated partial choice can never complete to a better
 * scheme than its dominator (costs add), so the optimum survives and the result is exact. Partial
 * choices that cannot reach the target, or cannot beat the greedy scheme even when the remaining
 * fronts are completed at their LP-relaxed cost ({@link RelaxedBound}), are dropped early.
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
        RelaxedBound[] later = new RelaxedBound[n + 1];
        for (int i = n; i >= 0; i--) {
            suffixMaxRemoved[i] =
                    i == n ? 0 : suffixMaxRemoved[i + 1] + options.get(i).maxRemoved();
            later[i] = new RelaxedBound(options.subList(i, n));
        }
        double maxImpairment = upperBound + BOUND_SLACK * (1 + Math.abs(upperBound));

        Layer layer = Layer.start();
        List<Layer> layers = new ArrayList<>(n + 1);
        layers.add(layer);
        for (int i = 0; i < n; i++) {
            layer = layer.extend(options.get(i), required, suffixMaxRemoved[i + 1], later[i + 1], maxImpairment);
            layers.add(layer);
        }
        int best = -1;
        for (int s = 0; s < layer.size; s++) {
            if (layer.removed[s] >= required && (best < 0 || layer.impairment[s] < layer.impairment[best])) {
                best = s;
            }
        }
        if (best < 0) {
            throw new IllegalStateException(
                    "exact solver lost every feasible scheme; the greedy bound is inconsistent");
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

        /**
         * Adds one choice from {@code o} to every partial choice and keeps the results no other
         * result dominates. The layer is sorted by removal descending, so each option shifts it
         * into another sorted list; a k-way merge visits all results in (removal descending,
         * impairment ascending) order, and one sweep keeps those that improve the impairment.
         * Removal is capped at {@code required}; results that cannot reach it even with every
         * later front at its maximum, or whose impairment plus the relaxed cost of the rest exceeds
         * {@code maxImpairment}, are dropped.
         */
        Layer extend(FrontOptions o, long required, long laterMaxRemoved, RelaxedBound later, double maxImpairment) {
            MergeHeap heap = new MergeHeap(this, o, required, laterMaxRemoved, maxImpairment - later.minimum());
            long[] outRem = new long[Math.max(16, size)];
            double[] outImp = new double[outRem.length];
            int[] outParent = new int[outRem.length];
            int[] outChoice = new int[outRem.length];
            int count = 0;
            double bestImpairment = Double.POSITIVE_INFINITY;
            while (!heap.isEmpty()) {
                int c = heap.top();
                int s = heap.cursor[c];
                long r = heap.removed(c);
                double m = heap.impairment(c);
                heap.advanceTop();
                if (r + laterMaxRemoved < required
                        || m >= bestImpairment
                        || m + later.atLeast(required - r) > maxImpairment) {
                    continue;
                }
                bestImpairment = m;
                if (count > 0 && outRem[count - 1] == r) {
                    count--; // same removal, now cheaper: the earlier one is dominated
                }
                if (count == outRem.length) {
                    int grown = outRem.length * 2;
                    outRem = Arrays.copyOf(outRem, grown);
                    outImp = Arrays.copyOf(outImp, grown);
                    outParent = Arrays.copyOf(outParent, grown);
                    outChoice = Arrays.copyOf(outChoice, grown);
                }
                outRem[count] = r;
                outImp[count] = m;
                outParent[count] = s;
                outChoice[count] = c;
                count++;
            }
            return new Layer(
                    Arrays.copyOf(outRem, count),
                    Arrays.copyOf(outImp, count),
                    Arrays.copyOf(outParent, count),
                    Arrays.copyOf(outChoice, count),
                    count);
        }
    }

    /**
     * Binary min-heap over the options of one front; option c stands for its next unvisited
     * result "layer state cursor[c] plus option c", ordered by (removal desc, impairment asc, c).
     */
    private static final class MergeHeap {
        final int[] cursor;
        private final int[] end;
        private final Layer layer;
        private final FrontOptions o;
        private final long required;
        private final int[] heap;
        private int n;

        /**
         * Each option only enters with the slice of the layer that can survive: along the layer
         * impairment falls and removal falls, so the results above {@code maxImpairment} form a
         * prefix and those that cannot reach {@code required} form a suffix; both are cut by
         * binary search instead of being merged and discarded one by one.
         */
        MergeHeap(Layer layer, FrontOptions o, long required, long laterMaxRemoved, double maxImpairment) {
            this.layer = layer;
            this.o = o;
            this.required = required;
            int k = o.removed.length;
            this.cursor = new int[k];
            this.end = new int[k];
            this.heap = new int[k];
            for (int c = 0; c < k; c++) {
                cursor[c] = firstAtMost(layer.impairment, layer.size, maxImpairment - o.impairment[c]);
                end[c] = firstBelow(layer.removed, layer.size, required - laterMaxRemoved - o.removed[c]);
                if (cursor[c] < end[c]) {
                    heap[n] = c;
                    siftUp(n++);
                }
            }
        }

        /** First index whose (descending) value is at most {@code bound}. */
        private static int firstAtMost(double[] descending, int size, double bound) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (descending[mid] <= bound) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        /** First index whose (descending) value is below {@code bound}. */
        private static int firstBelow(long[] descending, int size, long bound) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (descending[mid] < bound) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        boolean isEmpty() {
            return n == 0;
        }

        int top() {
            return heap[0];
        }

        long removed(int c) {
            return Math.min(required, layer.removed[cursor[c]] + o.removed[c]);
        }

        double impairment(int c) {
            return layer.impairment[cursor[c]] + o.impairment[c];
        }

        /** Moves the top option to its next result, or drops it when its results are exhausted. */
        void advanceTop() {
            int c = heap[0];
            if (++cursor[c] >= end[c]) {
                heap[0] = heap[--n];
            }
            if (n > 0) {
                siftDown(0);
            }
        }

        private boolean before(int a, int b) {
            long ra = removed(a);
            long rb = removed(b);
            if (ra != rb) {
                return ra > rb;
            }
            int byImpairment = Double.compare(impairment(a), impairment(b));
            return byImpairment != 0 ? byImpairment < 0 : a < b;
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(heap[i], heap[parent])) {
                    return;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void siftDown(int i) {
            while (true) {
                int left = 2 * i + 1;
                if (left >= n) {
                    return;
                }
                int best = left + 1 < n && before(heap[left + 1], heap[left]) ? left + 1 : left;
                if (!before(heap[best], heap[i])) {
                    return;
                }
                swap(i, best);
                i = best;
            }
        }

        private void swap(int a, int b) {
            int t = heap[a];
            heap[a] = heap[b];
            heap[b] = t;
        }
    }
}
