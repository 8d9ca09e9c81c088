package org.emodir.emodir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Area dominated by a set of 2-D points when both coordinates are minimised, bounded by a reference point. */
final class Hypervolume2D {
    private Hypervolume2D() {}

    /**
     * @param points {x, y} pairs, e.g. {remaining FLOPs ratio, impairment}; points not strictly
     *               better than the reference in both coordinates add nothing
     */
    public static double compute(List<double[]> points, double refX, double refY) {
        List<double[]> inside = new ArrayList<>();
        for (double[] p : points) {
            if (p.length != 2) {
                throw new IllegalArgumentException("hypervolume point must have 2 coordinates, got " + p.length);
            }
            if (p[0] < refX && p[1] < refY) {
                inside.add(p);
            }
        }
        inside.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        double area = 0;
        double ceiling = refY; // lowest y seen so far, sweeping x upwards
        for (int i = 0; i < inside.size(); i++) {
            double[] p = inside.get(i);
            if (p[1] >= ceiling) {
                continue; // dominated
            }
            ceiling = p[1];
            double nextX = refX;
            for (int j = i + 1; j < inside.size(); j++) {
                if (inside.get(j)[1] < ceiling) {
                    nextX = inside.get(j)[0];
                    break;
                }
            }
            area += (nextX - p[0]) * (refY - ceiling);
        }
        return area;
    }
}
