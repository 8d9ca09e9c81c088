package org.emodir.evo;

/**
 * Everything besides the problem that determines a run; saved in checkpoints so a resumed run
 * continues with the same operators.
 *
 * @param populationSize N, even so that every mating pair yields two children
 */
public record Nsga2Config(int populationSize, long seed, Crossover crossover, Mutation mutation) {
    public Nsga2Config {
        if (populationSize < 4 || (populationSize & 1) != 0) {
            throw new IllegalArgumentException("population size must be even and >= 4, got " + populationSize);
        }
        if (crossover == null || mutation == null) {
            throw new IllegalArgumentException("crossover and mutation are required");
        }
        if (crossover.encoding() != mutation.encoding()) {
            throw new IllegalArgumentException(crossover.getClass().getSimpleName() + " works on "
                    + crossover.encoding() + " genes but " + mutation.getClass().getSimpleName() + " on "
                    + mutation.encoding());
        }
    }

    public Encoding encoding() {
        return crossover.encoding();
    }

    /** The usual real-coded setting: SBX (p=0.9, eta=20) and polynomial mutation (1/genes, eta=20). */
    public static Nsga2Config realDefaults(int populationSize, long seed, int genes) {
        return new Nsga2Config(
                populationSize, seed, new SbxCrossover(0.9, 20), new PolynomialMutation(1.0 / genes, 20));
    }

    /** Binary masks: uniform crossover (p=0.9) and bit-flip with probability 1/genes. */
    public static Nsga2Config binaryDefaults(int populationSize, long seed, int genes) {
        return new Nsga2Config(populationSize, seed, new UniformCrossover(0.9), new BitFlipMutation(1.0 / genes));
    }
}
