package org.emodir.evo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

class CrowdingDistanceTest {
    private static final double TOL = 1e-12;

    private static double[] crowd(double[] obj, int m) {
        int n = obj.length / m;
        Fitness f = new Fitness(n, m);
        f.load(obj, null, n);
        int[] members = new int[n];
        for (int i = 0; i < n; i++) members[i] = i;
        double[] out = new double[n];
        new CrowdingDistance(n, m).compute(f, members, 0, n, out);
        return out;
    }

    /** Textbook crowding on distinct points (Deb 2002), used as the reference. */
    private static double[] naive(double[][] pts) {
        int n = pts.length;
        int m = pts[0].length;
        double[] d = new double[n];
        for (int k = 0; k < m; k++) {
            final int obj = k;
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            Arrays.sort(idx, Comparator.comparingDouble(i -> pts[i][obj]));
            double range = pts[idx[n - 1]][k] - pts[idx[0]][k];
            d[idx[0]] = Double.POSITIVE_INFINITY;
            d[idx[n - 1]] = Double.POSITIVE_INFINITY;
            for (int i = 1; i < n - 1; i++) {
                d[idx[i]] += (pts[idx[i + 1]][k] - pts[idx[i - 1]][k]) / range;
            }
        }
        return d;
    }

    @Test
    void matchesTextbookOnDistinctPoints() {
        Rng rng = new Rng(7);
        for (int m : new int[] {2, 3}) {
            int n = 50;
            double[][] pts = new double[n][m];
            double[] flat = new double[n * m];
            for (int i = 0; i < n; i++) {
                for (int d = 0; d < m; d++) {
                    pts[i][d] = rng.nextDouble();
                    flat[i * m + d] = pts[i][d];
                }
            }
            double[] expected = naive(pts);
            double[] actual = crowd(flat, m);
            for (int i = 0; i < n; i++) {
                if (Double.isInfinite(expected[i])) {
                    assertEquals(CrowdingDistance.BOUNDARY, actual[i], "boundary point " + i);
                } else {
                    assertEquals(expected[i], actual[i], TOL, "point " + i);
                }
            }
        }
    }

    @Test
    void onlyTheFirstCopyOfADuplicateKeepsItsDistance() {
        // Distinct points (0,4) (1,3) (2,1) (4,0); (1,3) appears three times and (2,1) twice.
        double[] obj = {1, 3, 0, 4, 2, 1, 1, 3, 4, 0, 2, 1, 1, 3};
        double[] d = crowd(obj, 2);
        double mid1 = (2 - 0) / 4.0 + (4 - 1) / 4.0;
        double mid2 = (4 - 1) / 4.0 + (3 - 0) / 4.0;
        assertEquals(mid1, d[0], TOL, "first copy of (1,3)");
        assertEquals(0.0, d[3]);
        assertEquals(0.0, d[6]);
        assertEquals(mid2, d[2], TOL, "first copy of (2,1)");
        assertEquals(0.0, d[5]);
        assertEquals(CrowdingDistance.BOUNDARY, d[1]);
        assertEquals(CrowdingDistance.BOUNDARY, d[4]);
    }

    @Test
    void degenerateFrontsStayFinite() {
        double[] allSame = {2, 2, 2, 2, 2, 2, 2, 2};
        assertArrayEquals(new double[] {CrowdingDistance.BOUNDARY, 0, 0, 0}, crowd(allSame, 2));
        // Second objective constant: contributes nothing, no 0/0.
        double[] flat = {0, 5, 1, 5, 3, 5, 4, 5};
        double[] d = crowd(flat, 2);
        assertEquals(CrowdingDistance.BOUNDARY, d[0]);
        assertEquals(CrowdingDistance.BOUNDARY, d[3]);
        assertEquals(3 / 4.0, d[1], TOL);
        assertEquals(3 / 4.0, d[2], TOL);
        // Values near the double range must not overflow into NaN or infinity.
        double big = Double.MAX_VALUE;
        double[] huge = {-big, big, 0, 0, big, -big};
        for (double v : crowd(huge, 2)) {
            assertTrue(Double.isFinite(v), "crowding " + v + " is not finite");
        }
        assertEquals(2.0, crowd(huge, 2)[1], TOL);
    }
}
