package org.emodir.evo;

/** Flips each bit independently with a fixed per-gene probability. */
public final class BitFlipMutation implements Mutation {
    private final double perGene;

    public BitFlipMutation(double perGeneProbability) {
        if (!(perGeneProbability >= 0 && perGeneProbability <= 1)) {
            throw new IllegalArgumentException("bit-flip probability must be in [0,1], got " + perGeneProbability);
        }
        this.perGene = perGeneProbability;
    }

    @Override
    public double perGeneProbability() {
        return perGene;
    }

    @Override
    public Encoding encoding() {
        return Encoding.BINARY;
    }

    @Override
    public void apply(Population pop, int from, int to, GeneBounds bounds, Rng rng) {
        int genes = pop.genes();
        for (int row = from; row < to; row++) {
            for (int g = 0; g < genes; g++) {
                if (rng.nextDouble() < perGene) {
                    pop.setBit(row, g, 1 - pop.bit(row, g));
                }
            }
        }
    }
}
