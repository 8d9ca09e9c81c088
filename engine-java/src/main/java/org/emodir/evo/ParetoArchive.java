package org.emodir.evo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Unbounded archive of the mutually non-dominated objective vectors seen during a run (duplicates
 * kept once). NSGA-II with a small population thins its front every generation; the archive keeps
 * what it found, which is what a pruning study reports at the end. Only finite vectors enter.
 * Insertion is O(archive size); meant for reporting, not the per-generation hot path of large N.
 */
final class ParetoArchive {
    private final int m;
    private final List<double[]> points = new ArrayList<>();

    public ParetoArchive(int numObjectives) {
        this.m = numObjectives;
    }

    /** Adds {@code point} (copied) unless an archived vector dominates or equals it; evicts those it dominates. */
    public boolean offer(double[] point) {
        if (point.length != m) {
            throw new IllegalArgumentException("archive holds " + m + " objectives, offered " + point.length);
        }
        for (double v : point) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        for (double[] a : points) {
            if (Metrics.dominates(a, point) || Arrays.equals(a, point)) {
                return false;
            }
        }
        points.removeIf(a -> Metrics.dominates(point, a));
        points.add(point.clone());
        return true;
    }

    /** Offers every feasible rank-0 member of the run's current population. */
    public void offerFirstFront(Nsga2 run) {
        ObjectiveMatrix obj = run.objectives();
        double[] point = new double[m];
        outer:
        for (int i = 0; i < run.populationSize(); i++) {
            if (run.rank(i) != 0) {
                continue;
            }
            for (int c = 0; c < obj.numConstraints(); c++) {
                if (!(obj.constraint(i, c) <= 0)) {
                    continue outer;
                }
            }
            for (int d = 0; d < m; d++) {
                point[d] = obj.objective(i, d);
            }
            offer(point);
        }
    }

    public int size() {
        return points.size();
    }

    /** Copies of the archived vectors. */
    public double[][] points() {
        double[][] out = new double[points.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = points.get(i).clone();
        }
        return out;
    }
}
