package org.emodir.eval;

/**
 * Evaluates a whole population of channel masks on one fixed batch. Implementations: the native CPU and
 * CUDA engines ({@code org.emodir.engine}) and the libtorch baseline {@link TorchReferenceEvaluator}.
 */
public interface PopulationEvaluator extends AutoCloseable {
    /** Genes (prunable channels) per individual. */
    int numGenes();

    /**
     * Writes the objectives of individuals {@code 0..population-1} of {@code masks} into {@code out}.
     *
     * @throws IllegalArgumentException when sizes disagree or an individual prunes every channel of a layer
     *                                  (the message names the layer)
     */
    void evaluate(PopulationMasks masks, int population, Objectives out);

    @Override
    void close();

    /** Shared argument check: sizes of the masks/objectives against the population. */
    static void checkArguments(int numGenes, PopulationMasks masks, int population, Objectives out) {
        if (population <= 0) throw new IllegalArgumentException("population must be positive, got " + population);
        if (masks.numGenes() != numGenes) {
            throw new IllegalArgumentException(
                    "masks have " + masks.numGenes() + " genes per individual but the program has " + numGenes);
        }
        if (masks.capacity() < population) {
            throw new IllegalArgumentException(
                    "masks hold " + masks.capacity() + " individuals, population is " + population);
        }
        if (out.capacity() < population) {
            throw new IllegalArgumentException(
                    "objectives hold " + out.capacity() + " individuals, population is " + population);
        }
    }
}
