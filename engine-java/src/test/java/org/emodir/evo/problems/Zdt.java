package org.emodir.evo.problems;

import org.emodir.evo.BatchProblem;
import org.emodir.evo.Encoding;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;

/** Zitzler-Deb-Thiele bi-objective test problems ZDT1-3 on [0,1]^genes. */
public final class Zdt implements BatchProblem {
    public enum Variant {
        ZDT1,
        ZDT2,
        ZDT3
    }

    public static final int DEFAULT_GENES = 30;

    private final Variant variant;
    private final int genes;

    public Zdt(Variant variant, int genes) {
        if (genes < 2) {
            throw new IllegalArgumentException(variant + " needs at least 2 genes, got " + genes);
        }
        this.variant = variant;
        this.genes = genes;
    }

    public Zdt(Variant variant) {
        this(variant, DEFAULT_GENES);
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
        return 2;
    }

    @Override
    public int numConstraints() {
        return 0;
    }

    @Override
    public void evaluate(Population pop, int from, int to, ObjectiveMatrix out) {
        for (int row = from; row < to; row++) {
            double f1 = pop.real(row, 0);
            double sum = 0;
            for (int g = 1; g < genes; g++) {
                sum += pop.real(row, g);
            }
            double gv = 1.0 + 9.0 * sum / (genes - 1);
            out.setObjective(row, 0, f1);
            out.setObjective(row, 1, gv * h(f1, gv));
        }
    }

    private double h(double f1, double g) {
        double r = f1 / g;
        return switch (variant) {
            case ZDT1 -> 1.0 - Math.sqrt(r);
            case ZDT2 -> 1.0 - r * r;
            case ZDT3 -> 1.0 - Math.sqrt(r) - r * Math.sin(10.0 * Math.PI * f1);
        };
    }

    /** The analytical Pareto front (g = 1), sampled at {@code samples} values of f1 in [0,1]. */
    public double[][] trueFront(int samples) {
        double[][] pts = new double[samples][];
        for (int i = 0; i < samples; i++) {
            double f1 = (double) i / (samples - 1);
            pts[i] = new double[] {f1, h(f1, 1.0)};
        }
        if (variant != Variant.ZDT3) {
            return pts;
        }
        // ZDT3's curve is disconnected: keep only the non-dominated pieces (sorted by f1, so a
        // point survives iff its f2 is below every earlier f2).
        java.util.List<double[]> front = new java.util.ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (double[] p : pts) {
            if (p[1] < best) {
                front.add(p);
                best = p[1];
            }
        }
        return front.toArray(new double[0][]);
    }
}
