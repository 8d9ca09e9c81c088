package org.emodir.nativ;

import org.emodir.eval.MemoryBudget;

/**
 * Splits a population into consecutive calls that each fit a {@link MemoryBudget}. The native engine's
 * scratch is affine in the population ({@code fixed + population * perIndividual}), so two size queries give
 * both terms; objectives depend only on the individual, so a split call returns exactly what one call would.
 */
final class PopulationChunks {
    /** One native call on individuals {@code [start, start + count)}; returns an emodir error code. */
    @FunctionalInterface
    interface Call {
        int run(int start, int count);
    }

    /** Native bytes of a call of {@code population} individuals (-1 on bad arguments). */
    @FunctionalInterface
    interface Bytes {
        long of(int population);
    }

    private PopulationChunks() {
    }

    /** Individuals per call under {@code budget}; throws MemoryBudgetException when one alone does not fit. */
    static int perCall(String what, Bytes bytes, MemoryBudget budget, int population) {
        long one = bytes.of(1);
        if (one < 0) throw NativeException.from(EmodirNative.EMODIR_ERR_INVALID_ARGUMENT);
        long perExtra = population > 1 ? bytes.of(2) - one : 0;
        return budget.individualsPerCall(what, one, perExtra, population);
    }

    static void run(int population, int perCall, Call call) {
        for (int start = 0; start < population; start += perCall) {
            int rc = call.run(start, Math.min(perCall, population - start));
            if (rc != EmodirNative.EMODIR_OK) throw NativeException.from(rc);
        }
    }
}
