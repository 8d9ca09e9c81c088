package org.emodir.evo;

/** Binary uniform crossover: each gene of a recombined pair is swapped with probability 1/2. */
public final class UniformCrossover implements Crossover {
    private final double probability;

    public UniformCrossover(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("uniform crossover probability must be in [0,1], got " + probability);
        }
        this.probability = probability;
    }

    @Override
    public double probability() {
        return probability;
    }

    @Override
    public Encoding encoding() {
        return Encoding.BINARY;
    }

    @Override
    public void apply(Population pop, int[] mates, int pairs, int firstChild, GeneBounds bounds, Rng rng) {
        int genes = pop.genes();
        for (int k = 0; k < pairs; k++) {
            int c1 = firstChild + 2 * k;
            int c2 = c1 + 1;
            pop.copyRow(mates[2 * k], pop, c1);
            pop.copyRow(mates[2 * k + 1], pop, c2);
            if (rng.nextDouble() > probability) {
                continue;
            }
            long bits = 0;
            for (int g = 0; g < genes; g++) {
                if ((g & 63) == 0) {
                    bits = rng.nextLong(); // one draw serves 64 genes
                }
                if ((bits & 1L) != 0) {
                    int a = pop.bit(c1, g);
                    pop.setBit(c1, g, pop.bit(c2, g));
                    pop.setBit(c2, g, a);
                }
                bits >>>= 1;
            }
        }
    }
}
