/**
 * Hand-written NSGA-II over off-heap populations.
 *
 * <p>Data: {@link org.emodir.evo.Population} (genes, row-major, BINARY = one 0/1 byte per gene,
 * REAL = float64; rows 8-byte aligned, readable by native code through {@code address()}) and
 * {@link org.emodir.evo.ObjectiveMatrix} (float64 objectives then constraint violations per row).
 * A {@link org.emodir.evo.BatchProblem} fills the objective rows of a whole offspring batch in
 * one call.
 *
 * <p>Engine: {@link org.emodir.evo.Nsga2} with a {@link org.emodir.evo.Nsga2Config} (N, seed,
 * {@link org.emodir.evo.Crossover}, {@link org.emodir.evo.Mutation}); ranking by
 * {@link org.emodir.evo.NonDominatedSorting} (Deb's constrained domination; O(N log N) for two
 * objectives, ENS-SS beyond), {@link org.emodir.evo.CrowdingDistance}, checkpoints through
 * {@code saveState}/{@code resume}. Channel masks use {@link org.emodir.evo.MaskLayout} and
 * {@link org.emodir.evo.MaskRepair}. Quality: {@link org.emodir.evo.Metrics},
 * {@link org.emodir.evo.ParetoArchive}. The test problems (ZDT, DTLZ2, a mask problem with a known front) are
 * test sources ({@code org.emodir.evo.problems}), which the JMH benchmarks get as engine-java's test-jar.
 */
package org.emodir.evo;
