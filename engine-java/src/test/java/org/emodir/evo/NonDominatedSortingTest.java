package org.emodir.evo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Fronts from the fast sorts must equal a brute-force O(M N^2) peeling under Deb's constrained domination. */
class NonDominatedSortingTest {

    /** Reference: repeatedly peel the individuals that no remaining individual constrained-dominates. */
    static int[] bruteForceRanks(Fitness f) {
        int n = f.size();
        int[] rank = new int[n];
        Arrays.fill(rank, -1);
        int assigned = 0;
        for (int front = 0; assigned < n; front++) {
            boolean[] inFront = new boolean[n];
            for (int p = 0; p < n; p++) {
                if (rank[p] >= 0) continue;
                boolean dominated = false;
                for (int q = 0; q < n && !dominated; q++) {
                    dominated = q != p && rank[q] < 0 && constrainedDominates(f, q, p);
                }
                inFront[p] = !dominated;
            }
            for (int p = 0; p < n; p++) {
                if (inFront[p]) {
                    rank[p] = front;
                    assigned++;
                }
            }
        }
        return rank;
    }

    static boolean constrainedDominates(Fitness f, int q, int p) {
        double vq = f.violation(q);
        double vp = f.violation(p);
        if (vq == 0 && vp > 0) return true;
        if (vq > 0 && vp == 0) return false;
        if (vq > 0) return vq < vp;
        boolean better = false;
        for (int d = 0; d < f.numObjectives(); d++) {
            if (f.objective(q, d) > f.objective(p, d)) return false;
            better |= f.objective(q, d) < f.objective(p, d);
        }
        return better;
    }

    /** Random objectives drawn from a few levels so ties and exact duplicates are common. */
    static Fitness randomFitness(Rng rng, int n, int m, int levels, boolean constraints, boolean nans) {
        double[] obj = new double[n * m];
        double[] viol = new double[n];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < m; d++) {
                obj[i * m + d] = rng.nextInt(levels);
            }
            if (i > 0 && rng.nextInt(5) == 0) { // exact duplicate of an earlier individual
                System.arraycopy(obj, rng.nextInt(i) * m, obj, i * m, m);
            }
            if (constraints && rng.nextInt(4) == 0) {
                viol[i] = 1 + rng.nextInt(3);
            }
            if (nans && rng.nextInt(20) == 0) {
                obj[i * m + rng.nextInt(m)] = rng.nextInt(2) == 0 ? Double.NaN : Double.NEGATIVE_INFINITY;
            }
        }
        Fitness f = new Fitness(n, m);
        f.load(obj, viol, n);
        return f;
    }

    private static void assertMatchesReference(Fitness f) {
        NonDominatedSorting sorter = new NonDominatedSorting(f.size(), f.numObjectives());
        sorter.sort(f);
        int[] expected = bruteForceRanks(f);
        int[] actual = new int[f.size()];
        for (int i = 0; i < f.size(); i++) {
            actual[i] = sorter.rank(i);
        }
        assertArrayEquals(expected, actual, "ranks differ from brute force");
        int maxRank = Arrays.stream(expected).max().orElse(-1);
        assertEquals(maxRank + 1, sorter.fronts());
        boolean[] seen = new boolean[f.size()];
        for (int front = 0; front < sorter.fronts(); front++) {
            assertTrue(sorter.frontEnd(front) > sorter.frontStart(front), "empty front " + front);
            for (int k = sorter.frontStart(front); k < sorter.frontEnd(front); k++) {
                int p = sorter.member(k);
                assertEquals(front, actual[p], "individual " + p + " listed in the wrong front");
                assertTrue(!seen[p], "individual " + p + " listed twice");
                seen[p] = true;
            }
        }
    }

    @Test
    void twoObjectiveSweepMatchesBruteForce() {
        Rng rng = new Rng(1);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(120);
            assertMatchesReference(randomFitness(rng, n, 2, 2 + rng.nextInt(12), trial % 2 == 0, trial % 3 == 0));
        }
    }

    @Test
    void manyObjectiveEnsMatchesBruteForce() {
        Rng rng = new Rng(2);
        for (int m : new int[] {3, 4, 6}) {
            for (int trial = 0; trial < 80; trial++) {
                int n = 1 + rng.nextInt(120);
                assertMatchesReference(randomFitness(rng, n, m, 2 + rng.nextInt(8), trial % 2 == 0, trial % 3 == 0));
            }
        }
    }

    @Test
    void continuousValuesMatchBruteForce() {
        Rng rng = new Rng(3);
        for (int m : new int[] {2, 3}) {
            int n = 400;
            double[] obj = new double[n * m];
            for (int i = 0; i < obj.length; i++) {
                obj[i] = rng.nextDouble();
            }
            Fitness f = new Fitness(n, m);
            f.load(obj, null, n);
            assertMatchesReference(f);
        }
    }

    @Test
    void divergedIndividualsRankBehindEveryFiniteOne() {
        int m = 2;
        double[] obj = {
            0,
            0,
            Double.NaN,
            -5, // diverged: NaN
            Double.NEGATIVE_INFINITY,
            0, // diverged: -Inf must not look "best"
            5,
            5,
            3,
            3
        };
        double[] viol = {0, 0, 0, 7, 0}; // individual 3 is infeasible but finite
        Fitness f = new Fitness(5, m);
        f.load(obj, viol, 5);
        NonDominatedSorting sorter = new NonDominatedSorting(5, m);
        sorter.sort(f);
        int worstFinite = Math.max(Math.max(sorter.rank(0), sorter.rank(3)), sorter.rank(4));
        assertTrue(sorter.rank(1) > worstFinite, "NaN individual must rank last");
        assertEquals(sorter.rank(1), sorter.rank(2), "all diverged individuals share the last front");
        assertEquals(0, sorter.rank(0));
        assertEquals(1, sorter.rank(4));
        assertEquals(2, sorter.rank(3), "infeasible after all feasible");
    }
}
