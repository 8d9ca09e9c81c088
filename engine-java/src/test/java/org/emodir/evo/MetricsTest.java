package org.emodir.evo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MetricsTest {

    /** Reference hypervolume: sum of the grid cells (between distinct coordinates) that some point dominates. */
    private static double gridHypervolume(double[][] pts, double[] ref) {
        int m = ref.length;
        double[][] axes = new double[m][];
        for (int d = 0; d < m; d++) {
            TreeSet<Double> s = new TreeSet<>();
            s.add(ref[d]);
            for (double[] p : pts) if (p[d] < ref[d]) s.add(p[d]);
            axes[d] = s.stream().mapToDouble(Double::doubleValue).toArray();
        }
        double total = 0;
        int[] cell = new int[m];
        while (true) {
            boolean valid = true;
            for (int d = 0; d < m; d++) valid &= cell[d] < axes[d].length - 1;
            if (valid) {
                boolean covered = false;
                for (double[] p : pts) {
                    boolean dom = true;
                    for (int d = 0; d < m; d++) dom &= p[d] <= axes[d][cell[d]];
                    covered |= dom;
                }
                if (covered) {
                    double vol = 1;
                    for (int d = 0; d < m; d++) vol *= axes[d][cell[d] + 1] - axes[d][cell[d]];
                    total += vol;
                }
            }
            int d = 0;
            while (d < m && ++cell[d] >= axes[d].length - 1) {
                cell[d] = 0;
                d++;
            }
            if (d == m) return total;
        }
    }

    @Test
    void hypervolumeMatchesGridReference() {
        Rng rng = new Rng(11);
        for (int m : new int[] {2, 3}) {
            for (int trial = 0; trial < 30; trial++) {
                int n = 1 + rng.nextInt(15);
                double[][] pts = new double[n][m];
                for (double[] p : pts)
                    for (int d = 0; d < m; d++) p[d] = rng.nextInt(6) * 0.25; // ties, outside ref too
                if (n > 1) pts[n - 1] = pts[0].clone();
                double[] ref = new double[m];
                Arrays.fill(ref, 1.1);
                assertEquals(
                        gridHypervolume(pts, ref), Metrics.hypervolume(pts, ref), 1e-12, "m=" + m + " trial " + trial);
            }
        }
    }

    @Test
    void hypervolumeOfSimpleSets() {
        assertEquals(
                2.0 * 2.0 + 1.0 * 1.0,
                Metrics.hypervolume(new double[][] {{0, 1}, {1, 0}}, new double[] {2, 3}),
                1e-15);
        assertEquals(1.0, Metrics.hypervolume(new double[][] {{0, 0, 0}}, new double[] {1, 1, 1}), 1e-15);
        assertEquals(0.0, Metrics.hypervolume(new double[][] {{2, 0}}, new double[] {1, 1}), 0);
        assertThrows(
                IllegalArgumentException.class,
                () -> Metrics.hypervolume(new double[][] {{0, 0, 0, 0}}, new double[] {1, 1, 1, 1}));
    }

    @Test
    void igdIsMeanDistanceFromReference() {
        double[][] ref = {{0, 1}, {1, 0}};
        assertEquals(0.0, Metrics.igd(ref, ref), 0);
        double[][] approx = {{0, 1}};
        assertEquals(Math.sqrt(2) / 2, Metrics.igd(approx, ref), 1e-15);
    }

    @Test
    void nonDominatedDropsDominatedAndDuplicates() {
        double[][] pts = {{1, 1}, {0, 2}, {2, 2}, {1, 1}, {2, 0}};
        double[][] nd = Metrics.nonDominated(pts);
        assertEquals(3, nd.length);
    }
}
