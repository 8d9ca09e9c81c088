package org.emodir.evo;

/** Deb's bounded polynomial mutation, the usual partner of SBX. */
public final class PolynomialMutation implements Mutation {
    private final double perGene;
    private final double eta;

    public PolynomialMutation(double perGeneProbability, double eta) {
        if (!(perGeneProbability >= 0 && perGeneProbability <= 1) || !(eta >= 0)) {
            throw new IllegalArgumentException("polynomial mutation needs probability in [0,1] and eta >= 0, got "
                    + perGeneProbability + ", " + eta);
        }
        this.perGene = perGeneProbability;
        this.eta = eta;
    }

    public double eta() {
        return eta;
    }

    @Override
    public double perGeneProbability() {
        return perGene;
    }

    @Override
    public Encoding encoding() {
        return Encoding.REAL;
    }

    @Override
    public void apply(Population pop, int from, int to, GeneBounds bounds, Rng rng) {
        double[] lower = bounds.lower();
        double[] upper = bounds.upper();
        double power = 1.0 / (eta + 1.0);
        int genes = pop.genes();
        for (int row = from; row < to; row++) {
            for (int g = 0; g < genes; g++) {
                if (rng.nextDouble() > perGene) {
                    continue;
                }
                double lo = lower[g];
                double hi = upper[g];
                if (lo == hi) {
                    pop.setReal(row, g, lo);
                    continue;
                }
                double y = pop.real(row, g);
                double delta1 = (y - lo) / (hi - lo);
                double delta2 = (hi - y) / (hi - lo);
                double r = rng.nextDouble();
                double deltaq;
                if (r <= 0.5) {
                    double val = 2.0 * r + (1.0 - 2.0 * r) * Math.pow(1.0 - delta1, eta + 1.0);
                    deltaq = Math.pow(val, power) - 1.0;
                } else {
                    double val = 2.0 * (1.0 - r) + 2.0 * (r - 0.5) * Math.pow(1.0 - delta2, eta + 1.0);
                    deltaq = 1.0 - Math.pow(val, power);
                }
                pop.setReal(row, g, SbxCrossover.clamp(y + deltaq * (hi - lo), lo, hi));
            }
        }
    }
}
