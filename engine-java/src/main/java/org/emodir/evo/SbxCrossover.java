package org.emodir.evo;

/** Simulated binary crossover (Deb and Agrawal 1995) in the bounded form used by NSGA-II and jMetal. */
public final class SbxCrossover implements Crossover {
    private static final double EPS = 1.0e-14;
    private final double probability;
    private final double eta;

    public SbxCrossover(double probability, double eta) {
        if (!(probability >= 0 && probability <= 1) || !(eta >= 0)) {
            throw new IllegalArgumentException(
                    "SBX needs probability in [0,1] and eta >= 0, got " + probability + ", " + eta);
        }
        this.probability = probability;
        this.eta = eta;
    }

    public double eta() {
        return eta;
    }

    @Override
    public double probability() {
        return probability;
    }

    @Override
    public Encoding encoding() {
        return Encoding.REAL;
    }

    @Override
    public void apply(Population pop, int[] mates, int pairs, int firstChild, GeneBounds bounds, Rng rng) {
        double[] lower = bounds.lower();
        double[] upper = bounds.upper();
        double exponent = 1.0 / (eta + 1.0);
        int genes = pop.genes();
        for (int k = 0; k < pairs; k++) {
            int p1 = mates[2 * k];
            int p2 = mates[2 * k + 1];
            int c1 = firstChild + 2 * k;
            int c2 = c1 + 1;
            pop.copyRow(p1, pop, c1);
            pop.copyRow(p2, pop, c2);
            if (rng.nextDouble() > probability) {
                continue;
            }
            for (int g = 0; g < genes; g++) {
                if (rng.nextDouble() > 0.5) {
                    continue;
                }
                double x1 = pop.real(p1, g);
                double x2 = pop.real(p2, g);
                if (Math.abs(x1 - x2) <= EPS) {
                    continue;
                }
                double y1 = Math.min(x1, x2);
                double y2 = Math.max(x1, x2);
                double lo = lower[g];
                double hi = upper[g];
                double r = rng.nextDouble();
                double beta = 1.0 + 2.0 * (y1 - lo) / (y2 - y1);
                double betaq = spread(beta, r, exponent);
                double child1 = clamp(0.5 * ((y1 + y2) - betaq * (y2 - y1)), lo, hi);
                beta = 1.0 + 2.0 * (hi - y2) / (y2 - y1);
                betaq = spread(beta, r, exponent);
                double child2 = clamp(0.5 * ((y1 + y2) + betaq * (y2 - y1)), lo, hi);
                if (rng.nextDouble() <= 0.5) {
                    pop.setReal(c1, g, child2);
                    pop.setReal(c2, g, child1);
                } else {
                    pop.setReal(c1, g, child1);
                    pop.setReal(c2, g, child2);
                }
            }
        }
    }

    private double spread(double beta, double r, double exponent) {
        double alpha = 2.0 - Math.pow(beta, -(eta + 1.0));
        return r <= 1.0 / alpha ? Math.pow(r * alpha, exponent) : Math.pow(1.0 / (2.0 - r * alpha), exponent);
    }

    static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}
