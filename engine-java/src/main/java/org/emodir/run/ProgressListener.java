package org.emodir.run;

/** What a long job (the pruning pipeline, a search) reports while it runs. */
public interface ProgressListener {
    /** A phase starts; {@code detail} says on what (e.g. the sub-network). */
    void phase(String phase, String detail);

    /**
     * One NSGA-II generation of a search finished.
     *
     * @param bestAtHalf lowest impairment among front members keeping at most 50% of the FLOPs (NaN when none)
     * @param etaSeconds estimated seconds left in this search
     */
    void generation(
            String search, int generation, int generations, int frontSize, double bestAtHalf, double etaSeconds);

    /** Any other line worth showing (training progress, results). */
    void message(String line);

    /** Drops everything (tests, --json runs). */
    ProgressListener SILENT = new ProgressListener() {
        @Override
        public void phase(String phase, String detail) {}

        @Override
        public void generation(String search, int g, int gs, int f, double b, double eta) {}

        @Override
        public void message(String line) {}
    };
}
