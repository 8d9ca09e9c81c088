package org.emodir.evo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Quality indicators for approximation sets (minimisation). Not on the hot path. */
public final class Metrics {
    private Metrics() {}

    /**
     * Exact hypervolume dominated by {@code points} and bounded by {@code ref}, for 2 or 3
     * objectives. Points that do not strictly dominate {@code ref} contribute nothing; dominated
     * points and duplicates are allowed.
     */
    public static double hypervolume(double[][] points, double[] ref) {
        int m = ref.length;
        List<double[]> inside = new ArrayList<>();
        for (double[] p : points) {
            if (p.length != m) {
                throw new IllegalArgumentException("point has " + p.length + " objectives, reference point " + m);
            }
            boolean below = true;
            for (int d = 0; d < m; d++) {
                below &= p[d] < ref[d];
            }
            if (below) {
                inside.add(p);
            }
        }
        return switch (m) {
            case 2 -> hv2(inside, ref[0], ref[1]);
            case 3 -> hv3(inside, ref);
            default ->
                throw new IllegalArgumentException("exact hypervolume is implemented for 2 and 3 objectives, not " + m);
        };
    }

    /**
     * 2-D hypervolume of {x, y} pairs, e.g. {remaining FLOPs ratio, impairment}, bounded by {@code (refX, refY)}:
     * {@link #hypervolume(double[][], double[])} with a two-coordinate reference point.
     */
    public static double hypervolume(List<double[]> points, double refX, double refY) {
        return hypervolume(points.toArray(new double[0][]), new double[] {refX, refY});
    }

    /**
     * Sweeps x upwards over the non-dominated staircase: each step adds the slab from its x to the next
     * step's x (the last: to the reference), between its y and the reference.
     */
    private static double hv2(List<double[]> pts, double rx, double ry) {
        double[][] sorted = pts.toArray(new double[0][]);
        Arrays.sort(sorted, Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        double area = 0;
        double[] step = null; // last non-dominated point
        for (double[] p : sorted) {
            if (step != null && p[1] >= step[1]) {
                continue; // dominated
            }
            if (step != null) {
                area += (p[0] - step[0]) * (ry - step[1]);
            }
            step = p;
        }
        if (step != null) {
            area += (rx - step[0]) * (ry - step[1]);
        }
        return area;
    }

    /**
     * Slices along the third objective. The 2-D staircase of the points below the current slice is
     * kept sorted by x in a tree map, so each slab costs one walk over it: O(n^2) overall.
     */
    private static double hv3(List<double[]> pts, double[] ref) {
        double[][] byZ = pts.toArray(new double[0][]);
        Arrays.sort(byZ, Comparator.comparingDouble(p -> p[2]));
        java.util.TreeMap<Double, Double> stair = new java.util.TreeMap<>(); // x -> y, y falling as x grows
        double volume = 0;
        for (int i = 0; i < byZ.length; i++) {
            insert(stair, byZ[i][0], byZ[i][1]);
            double top = i + 1 < byZ.length ? byZ[i + 1][2] : ref[2];
            if (top > byZ[i][2]) {
                volume += area(stair, ref[0], ref[1]) * (top - byZ[i][2]);
            }
        }
        return volume;
    }

    private static void insert(java.util.TreeMap<Double, Double> stair, double x, double y) {
        java.util.Map.Entry<Double, Double> left = stair.floorEntry(x);
        if (left != null && left.getValue() <= y) {
            return; // dominated (or equal)
        }
        java.util.Map.Entry<Double, Double> right = stair.ceilingEntry(x);
        while (right != null && right.getValue() >= y) {
            stair.remove(right.getKey());
            right = stair.higherEntry(right.getKey());
        }
        stair.put(x, y);
    }

    private static double area(java.util.TreeMap<Double, Double> stair, double rx, double ry) {
        double a = 0;
        double bestY = ry;
        for (java.util.Map.Entry<Double, Double> e : stair.entrySet()) {
            a += (rx - e.getKey()) * (bestY - e.getValue());
            bestY = e.getValue();
        }
        return a;
    }

    /**
     * Inverted generational distance: the mean, over the reference front, of the Euclidean
     * distance to the nearest point of the approximation.
     */
    public static double igd(double[][] approximation, double[][] reference) {
        if (approximation.length == 0 || reference.length == 0) {
            throw new IllegalArgumentException("IGD needs non-empty sets: approximation " + approximation.length
                    + " points, reference " + reference.length);
        }
        double sum = 0;
        for (double[] r : reference) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] a : approximation) {
                double s = 0;
                for (int d = 0; d < r.length; d++) {
                    double diff = a[d] - r[d];
                    s += diff * diff;
                }
                best = Math.min(best, s);
            }
            sum += Math.sqrt(best);
        }
        return sum / reference.length;
    }

    /** The points of {@code points} that no other point dominates (duplicates kept once). */
    public static double[][] nonDominated(double[][] points) {
        List<double[]> out = new ArrayList<>();
        outer:
        for (int i = 0; i < points.length; i++) {
            for (int j = 0; j < points.length; j++) {
                if (j != i && (dominates(points[j], points[i]) || (j < i && Arrays.equals(points[j], points[i])))) {
                    continue outer;
                }
            }
            out.add(points[i]);
        }
        return out.toArray(new double[0][]);
    }

    static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int d = 0; d < a.length; d++) {
            if (a[d] > b[d]) {
                return false;
            }
            better |= a[d] < b[d];
        }
        return better;
    }
}
