package org.emodir.evo;

/** In-place mutation of rows {@code from..to-1}; each gene mutates independently. */
public sealed interface Mutation permits PolynomialMutation, BitFlipMutation {
    Encoding encoding();

    double perGeneProbability();

    void apply(Population pop, int from, int to, GeneBounds bounds, Rng rng);
}
