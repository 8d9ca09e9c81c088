package org.emodir.evo;

/**
 * Recombination over a whole mating pool at once: child rows {@code firstChild + 2k} and
 * {@code firstChild + 2k + 1} are made from parent rows {@code mates[2k]} and {@code mates[2k+1]}
 * of the same population, for {@code k < pairs}.
 */
public sealed interface Crossover permits SbxCrossover, UniformCrossover, NPointCrossover {
    Encoding encoding();

    /** Chance that a pair is recombined at all; otherwise the children are copies of the parents. */
    double probability();

    void apply(Population pop, int[] mates, int pairs, int firstChild, GeneBounds bounds, Rng rng);
}
