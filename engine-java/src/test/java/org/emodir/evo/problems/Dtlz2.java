package org.emodir.evo.problems;

import org.emodir.evo.BatchProblem;
import org.emodir.evo.Encoding;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;

/** DTLZ2 with M objectives and k distance variables: the Pareto front is the unit sphere's positive orthant. */
public final class Dtlz2 implements BatchProblem {
    public static final int DEFAULT_K = 10;

    private final int m;
    private final int genes;

    public Dtlz2(int objectives, int k) {
        if (objectives < 2 || k < 1) {
            throw new IllegalArgumentException("DTLZ2 needs >= 2 objectives and k >= 1, got " + objectives + ", " + k);
        }
        this.m = objectives;
        this.genes = objectives - 1 + k;
    }

    @Override
    public Encoding encoding() {
        return Encoding.REAL;
    }

    @Override
    public int genes() {
        return genes;
    }

    @Override
    public int numObjectives() {
        return m;
    }

    @Override
    public int numConstraints() {
        return 0;
    }

    @Override
    public void evaluate(Population pop, int from, int to, ObjectiveMatrix out) {
        for (int row = from; row < to; row++) {
            double g = 0;
            for (int i = m - 1; i < genes; i++) {
                double d = pop.real(row, i) - 0.5;
                g += d * d;
            }
            for (int i = 0; i < m; i++) {
                double f = 1.0 + g;
                for (int j = 0; j < m - 1 - i; j++) {
                    f *= Math.cos(pop.real(row, j) * 0.5 * Math.PI);
                }
                if (i > 0) {
                    f *= Math.sin(pop.real(row, m - 1 - i) * 0.5 * Math.PI);
                }
                out.setObjective(row, i, f);
            }
        }
    }

    /** Hypervolume of the true 3-objective front w.r.t. (1.1, 1.1, 1.1): the cube minus an eighth of the unit ball. */
    public static double trueHypervolume3(double ref) {
        return ref * ref * ref - Math.PI / 6.0;
    }
}
