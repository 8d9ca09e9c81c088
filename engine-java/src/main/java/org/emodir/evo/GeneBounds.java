package org.emodir.evo;

/** Per-gene lower and upper bounds of a REAL problem, copied once so operators read plain arrays. */
public record GeneBounds(double[] lower, double[] upper) {
    public static GeneBounds of(BatchProblem problem) {
        int n = problem.genes();
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int g = 0; g < n; g++) {
            lo[g] = problem.lowerBound(g);
            hi[g] = problem.upperBound(g);
            if (!(lo[g] <= hi[g]) || !Double.isFinite(lo[g]) || !Double.isFinite(hi[g])) {
                throw new IllegalArgumentException(
                        "gene " + g + " has bounds [" + lo[g] + ", " + hi[g] + "]; need finite lower <= upper");
            }
        }
        return new GeneBounds(lo, hi);
    }
}
