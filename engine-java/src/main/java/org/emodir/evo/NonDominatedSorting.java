package org.emodir.evo;

/**
 * Splits individuals into fronts under Deb's constrained domination: a feasible individual beats
 * an infeasible one; of two infeasible ones the smaller total violation wins; two feasible ones
 * compare by Pareto domination. Feasible individuals are sorted lexicographically first, so only
 * an earlier individual can dominate a later one; then
 * <ul>
 *   <li>2 objectives: the O(N log N) sweep of Jensen (2003): a binary search over the last member
 *       of each front finds the first front with no member dominating the individual;</li>
 *   <li>M objectives: ENS-SS (Zhang et al. 2015): fronts are scanned in order, each from its most
 *       recently added member backwards.</li>
 * </ul>
 * Infeasible individuals follow in fronts of equal violation, ascending. All scratch is allocated
 * once for {@code capacity} individuals.
 */
final class NonDominatedSorting {
    private final int capacity;
    private final int m;
    private final int[] rank;
    private final int[] order; // individuals grouped by front, front 0 first
    private final int[] frontStart; // front f occupies order[frontStart[f] .. frontStart[f+1])
    private final int[] work;
    private final int[] scratch;
    private final int[] frontLast; // most recently added member of each feasible front
    private final int[] prevInFront;
    private final int[] counts;
    private int fronts;
    private int size;

    public NonDominatedSorting(int capacity, int numObjectives) {
        this.capacity = capacity;
        this.m = numObjectives;
        this.rank = new int[capacity];
        this.order = new int[capacity];
        this.frontStart = new int[capacity + 1];
        this.work = new int[capacity];
        this.scratch = new int[capacity];
        this.frontLast = new int[capacity];
        this.prevInFront = new int[capacity];
        this.counts = new int[capacity + 1];
    }

    public int fronts() {
        return fronts;
    }

    public int size() {
        return size;
    }

    public int rank(int i) {
        return rank[i];
    }

    public int frontStart(int f) {
        return frontStart[f];
    }

    public int frontEnd(int f) {
        return frontStart[f + 1];
    }
    /** The k-th individual in front order (front 0 first). */
    public int member(int k) {
        return order[k];
    }

    int[] orderArray() {
        return order;
    }

    public void sort(Fitness fitness) {
        int n = fitness.size();
        if (n > capacity || fitness.numObjectives() != m) {
            throw new IllegalArgumentException(
                    "sorter sized for " + capacity + " x " + m + " got " + n + " x " + fitness.numObjectives());
        }
        size = n;
        double[] obj = fitness.objectives;
        double[] viol = fitness.violation;
        int feasible = 0;
        for (int i = 0; i < n; i++) {
            if (viol[i] == 0) {
                work[feasible++] = i;
            }
        }
        int infeasibleStart = feasible;
        for (int i = 0, k = feasible; i < n; i++) {
            if (viol[i] != 0) {
                work[k++] = i;
            }
        }
        IndexSort.lexicographic(work, 0, feasible, obj, m, scratch);
        int feasibleFronts = m == 2 ? sweep2(obj, feasible) : ensSs(obj, feasible);
        IndexSort.byColumn(work, infeasibleStart, n, viol, 1, 0, scratch);
        int f = feasibleFronts - 1;
        for (int k = infeasibleStart; k < n; k++) {
            if (k == infeasibleStart || viol[work[k]] != viol[work[k - 1]]) {
                f++;
            }
            rank[work[k]] = f;
        }
        fronts = f + 1;
        groupByRank(n);
    }

    /** Jensen's sweep for two objectives over the lexicographically sorted work[0..count). */
    private int sweep2(double[] obj, int count) {
        int used = 0;
        for (int k = 0; k < count; k++) {
            int p = work[k];
            double p1 = obj[2 * p];
            double p2 = obj[2 * p + 1];
            int lo = 0;
            int hi = used;
            while (lo < hi) { // first front whose last member does not dominate p
                int mid = (lo + hi) >>> 1;
                int q = frontLast[mid];
                double q2 = obj[2 * q + 1];
                boolean dominates = q2 < p2 || (q2 == p2 && obj[2 * q] < p1);
                if (dominates) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            frontLast[lo] = p;
            rank[p] = lo;
            if (lo == used) {
                used++;
            }
        }
        return used;
    }

    /** ENS-SS over the lexicographically sorted work[0..count). */
    private int ensSs(double[] obj, int count) {
        int used = 0;
        for (int k = 0; k < count; k++) {
            int p = work[k];
            int f = 0;
            while (f < used && frontDominates(obj, f, p)) {
                f++;
            }
            prevInFront[p] = f < used ? frontLast[f] : -1;
            frontLast[f] = p;
            rank[p] = f;
            if (f == used) {
                used++;
            }
        }
        return used;
    }

    private boolean frontDominates(double[] obj, int front, int p) {
        for (int q = frontLast[front]; q >= 0; q = prevInFront[q]) {
            if (dominates(obj, m, q, p)) {
                return true;
            }
        }
        return false;
    }

    static boolean dominates(double[] obj, int m, int q, int p) {
        boolean better = false;
        int oq = q * m;
        int op = p * m;
        for (int d = 0; d < m; d++) {
            double a = obj[oq + d];
            double b = obj[op + d];
            if (a > b) {
                return false;
            }
            better |= a < b;
        }
        return better;
    }

    /** Stable counting sort of work[] (feasible lexicographic, then infeasible by violation) by rank. */
    private void groupByRank(int n) {
        java.util.Arrays.fill(counts, 0, fronts + 1, 0);
        for (int k = 0; k < n; k++) {
            counts[rank[work[k]] + 1]++;
        }
        for (int f = 0; f < fronts; f++) {
            counts[f + 1] += counts[f];
        }
        System.arraycopy(counts, 0, frontStart, 0, fronts + 1);
        for (int k = 0; k < n; k++) {
            int p = work[k];
            order[counts[rank[p]]++] = p;
        }
    }
}
