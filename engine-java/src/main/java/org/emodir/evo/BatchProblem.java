package org.emodir.evo;

/**
 * A multi-objective problem evaluated a whole batch at a time: the engine makes one call per
 * generation so that an implementation can run every candidate through native code (or a GPU)
 * without per-individual virtual calls. All objectives are minimised.
 */
public interface BatchProblem {
    Encoding encoding();

    int genes();

    int numObjectives();

    /** Constraint columns written by {@link #evaluate}; violation {@code <= 0} means satisfied. */
    int numConstraints();

    /**
     * Fills rows {@code from..to-1} of {@code out} with the objectives and constraint violations
     * of rows {@code from..to-1} of {@code pop}. NaN or infinite objectives are allowed (a
     * diverging candidate): the engine ranks such an individual behind every finite one.
     */
    void evaluate(Population pop, int from, int to, ObjectiveMatrix out);

    /** Lower bound of a REAL gene (unused for BINARY). */
    default double lowerBound(int gene) {
        return 0.0;
    }

    /** Upper bound of a REAL gene (unused for BINARY). */
    default double upperBound(int gene) {
        return 1.0;
    }

    /**
     * Makes rows {@code from..to-1} feasible in ways the operators cannot know about, e.g.
     * {@link MaskRepair} re-enables channels of a layer that variation emptied. Default: nothing.
     */
    default void repair(Population pop, int from, int to, Rng rng) {}
}
