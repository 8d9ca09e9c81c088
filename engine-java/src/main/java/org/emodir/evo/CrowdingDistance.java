package org.emodir.evo;

/**
 * Crowding distance of the members of one front, computed on the distinct objective vectors
 * (Fortin and Parizeau 2013) so copies neither shrink their neighbours' distances nor look spread
 * out. The first copy of a vector (in lexicographic, then index order) gets its distance; further
 * copies get 0, so survival and tournaments prefer new points to clones. Without this, copies of an
 * extreme point all count as boundary and take over the population. Every value is finite: boundary
 * points get {@link #BOUNDARY}; an objective with zero range adds nothing; a front with at most
 * two distinct points is all boundary.
 */
final class CrowdingDistance {
    /** Distance of the extreme points of an objective; larger than any interior distance (at most M). */
    public static final double BOUNDARY = Double.MAX_VALUE;

    private final int m;
    private final int[] sorted;
    private final int[] distinct;
    private final int[] scratch;
    private final double[] perIndividual;

    public CrowdingDistance(int capacity, int numObjectives) {
        this.m = numObjectives;
        this.sorted = new int[capacity];
        this.distinct = new int[capacity];
        this.scratch = new int[capacity];
        this.perIndividual = new double[capacity];
    }

    /** Writes {@code out[i]} for each individual {@code i} in {@code members[from..to)}. */
    public void compute(Fitness fitness, int[] members, int from, int to, double[] out) {
        double[] obj = fitness.objectives;
        int n = to - from;
        System.arraycopy(members, from, sorted, 0, n);
        IndexSort.lexicographic(sorted, 0, n, obj, m, scratch);
        int u = 0;
        for (int k = 0; k < n; k++) {
            if (k == 0 || IndexSort.compareRows(obj, m, sorted[k - 1], sorted[k]) != 0) {
                distinct[u++] = sorted[k];
            }
        }
        for (int k = 0; k < u; k++) {
            perIndividual[distinct[k]] = u <= 2 ? BOUNDARY : 0.0;
        }
        if (u > 2) {
            for (int d = 0; d < m; d++) {
                accumulate(obj, u, d);
            }
        }
        for (int k = 0; k < n; k++) {
            boolean firstCopy = k == 0 || IndexSort.compareRows(obj, m, sorted[k - 1], sorted[k]) != 0;
            out[sorted[k]] = firstCopy ? perIndividual[sorted[k]] : 0.0;
        }
    }

    private void accumulate(double[] obj, int u, int d) {
        IndexSort.byColumn(distinct, 0, u, obj, m, d, scratch);
        double min = obj[distinct[0] * m + d];
        double max = obj[distinct[u - 1] * m + d];
        // Halved operands keep (next - prev) and the range finite even for values near +-MAX_VALUE.
        double range = 0.5 * max - 0.5 * min;
        if (!(range > 0) || range == Double.POSITIVE_INFINITY) {
            return; // degenerate objective (or +Inf from diverged members): it says nothing about spread
        }
        perIndividual[distinct[0]] = BOUNDARY;
        perIndividual[distinct[u - 1]] = BOUNDARY;
        for (int k = 1; k < u - 1; k++) {
            int i = distinct[k];
            if (perIndividual[i] != BOUNDARY) {
                double next = obj[distinct[k + 1] * m + d];
                double prev = obj[distinct[k - 1] * m + d];
                perIndividual[i] += (0.5 * next - 0.5 * prev) / range;
            }
        }
    }
}
