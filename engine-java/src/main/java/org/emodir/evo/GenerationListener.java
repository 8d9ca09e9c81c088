package org.emodir.evo;

/** Called once after every generation's survival step (and never during initialisation). */
@FunctionalInterface
public interface GenerationListener {
    /**
     * @param generation     generations completed so far (1 after the first)
     * @param evaluations    individuals evaluated so far, the initial population included
     * @param firstFrontSize members of the current population with rank 0
     */
    void onGeneration(int generation, long evaluations, int firstFrontSize);
}
