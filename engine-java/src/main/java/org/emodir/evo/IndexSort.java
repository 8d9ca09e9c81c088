package org.emodir.evo;

/**
 * Stable merge sorts of index arrays by primitive keys. Hand-written so that sorting neither boxes
 * nor allocates (the caller supplies the scratch array) and ties keep their input order, which
 * makes the engine's fronts reproducible bit for bit. Keys must not be NaN ({@link Fitness}
 * guarantees this).
 */
final class IndexSort {
    private static final int INSERTION_THRESHOLD = 16;

    private IndexSort() {}

    /** Sorts {@code idx[from..to)} by rows {@code values[i*m .. i*m+m)} compared lexicographically. */
    static void lexicographic(int[] idx, int from, int to, double[] values, int m, int[] scratch) {
        lexSort(idx, scratch, from, to, values, m);
    }

    /** Sorts {@code idx[from..to)} ascending by {@code values[i*m + column]}. */
    static void byColumn(int[] idx, int from, int to, double[] values, int m, int column, int[] scratch) {
        colSort(idx, scratch, from, to, values, m, column);
    }

    static int compareRows(double[] v, int m, int a, int b) {
        int oa = a * m;
        int ob = b * m;
        for (int d = 0; d < m; d++) {
            double x = v[oa + d];
            double y = v[ob + d];
            if (x < y) return -1;
            if (x > y) return 1;
        }
        return 0;
    }

    private static void lexSort(int[] a, int[] tmp, int from, int to, double[] v, int m) {
        if (to - from <= INSERTION_THRESHOLD) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= from && compareRows(v, m, a[j], x) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        lexSort(a, tmp, from, mid, v, m);
        lexSort(a, tmp, mid, to, v, m);
        if (compareRows(v, m, a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) {
            a[k++] = compareRows(v, m, tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
        }
        while (i < mid) a[k++] = tmp[i++];
        while (j < to) a[k++] = tmp[j++];
    }

    private static void colSort(int[] a, int[] tmp, int from, int to, double[] v, int m, int c) {
        if (to - from <= INSERTION_THRESHOLD) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                double key = v[x * m + c];
                int j = i - 1;
                while (j >= from && v[a[j] * m + c] > key) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        colSort(a, tmp, from, mid, v, m, c);
        colSort(a, tmp, mid, to, v, m, c);
        if (v[a[mid - 1] * m + c] <= v[a[mid] * m + c]) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) {
            a[k++] = v[tmp[j] * m + c] < v[tmp[i] * m + c] ? tmp[j++] : tmp[i++];
        }
        while (i < mid) a[k++] = tmp[i++];
        while (j < to) a[k++] = tmp[j++];
    }
}
