package org.emodir.evo;

/**
 * Heap copy of the objectives and total constraint violation of a set of individuals, cleaned so
 * that sorting never meets NaN: an individual with any NaN or infinite objective (a diverging
 * candidate) gets every objective and its violation set to {@code +Infinity}, which places it
 * behind every other individual under Deb's constrained domination. A NaN constraint value is
 * treated the same way.
 */
final class Fitness {
    private final int capacity;
    private final int m;
    final double[] objectives; // row-major, capacity x m
    final double[] violation; // sum of positive constraint violations; 0 = feasible
    private int size;

    public Fitness(int capacity, int numObjectives) {
        this.capacity = capacity;
        this.m = numObjectives;
        this.objectives = new double[capacity * numObjectives];
        this.violation = new double[capacity];
    }

    public int numObjectives() {
        return m;
    }

    public int size() {
        return size;
    }

    public double objective(int i, int d) {
        return objectives[i * m + d];
    }

    public double violation(int i) {
        return violation[i];
    }

    /** Loads rows {@code from..to-1} of {@code src} as individuals {@code 0..to-from-1}. */
    public void load(ObjectiveMatrix src, int from, int to) {
        int n = to - from;
        if (n > capacity || src.numObjectives() != m) {
            throw new IllegalArgumentException("fitness holds " + capacity + " x " + m + " objectives, asked to load "
                    + n + " x " + src.numObjectives());
        }
        int constraints = src.numConstraints();
        for (int i = 0; i < n; i++) {
            int row = from + i;
            set(i, src, row, constraints);
        }
        size = n;
    }

    private void set(int i, ObjectiveMatrix src, int row, int constraints) {
        boolean diverged = false;
        for (int d = 0; d < m; d++) {
            double f = src.objective(row, d);
            diverged |= !Double.isFinite(f);
            objectives[i * m + d] = f;
        }
        double v = 0;
        for (int c = 0; c < constraints; c++) {
            double g = src.constraint(row, c);
            if (g > 0) {
                v += g;
            } else if (Double.isNaN(g)) {
                diverged = true;
            }
        }
        if (diverged) {
            for (int d = 0; d < m; d++) {
                objectives[i * m + d] = Double.POSITIVE_INFINITY;
            }
            v = Double.POSITIVE_INFINITY;
        }
        violation[i] = v;
    }

    /** Loads plain arrays (tests and metrics): {@code objectives} row-major n x m, {@code violations} may be null. */
    public void load(double[] objectivesRowMajor, double[] violations, int n) {
        if (n > capacity || objectivesRowMajor.length < n * m) {
            throw new IllegalArgumentException("fitness holds " + capacity + " x " + m + ", asked to load " + n);
        }
        for (int i = 0; i < n; i++) {
            boolean diverged = false;
            for (int d = 0; d < m; d++) {
                double f = objectivesRowMajor[i * m + d];
                diverged |= !Double.isFinite(f);
                objectives[i * m + d] = f;
            }
            double v = violations == null ? 0 : violations[i];
            diverged |= Double.isNaN(v);
            v = Math.max(0, v);
            if (diverged) {
                for (int d = 0; d < m; d++) {
                    objectives[i * m + d] = Double.POSITIVE_INFINITY;
                }
                v = Double.POSITIVE_INFINITY;
            }
            violation[i] = v;
        }
        size = n;
    }
}
