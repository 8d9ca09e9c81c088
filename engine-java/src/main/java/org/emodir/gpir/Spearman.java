package org.emodir.gpir;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Spearman rank correlation (Pearson correlation of average ranks, ties share their mean rank): how well a
 * sub-network's local impairment orders solutions the way their measured global impairment does.
 */
public final class Spearman {
    private Spearman() {}

    /** NaN with fewer than 2 pairs or a constant input. */
    public static double of(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("lengths differ: " + x.length + " vs " + y.length);
        if (x.length < 2) return Double.NaN;
        double[] rx = ranks(x), ry = ranks(y);
        double mx = Arrays.stream(rx).average().orElseThrow(),
                my = Arrays.stream(ry).average().orElseThrow();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    static double[] ranks(double[] v) {
        Integer[] order = IntStream.range(0, v.length)
                .boxed()
                .sorted(Comparator.comparingDouble(i -> v[i]))
                .toArray(Integer[]::new);
        double[] r = new double[v.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && v[order[j + 1]] == v[order[i]]) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[order[k]] = mean;
            i = j + 1;
        }
        return r;
    }
}
