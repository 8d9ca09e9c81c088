/**
 * Accuracy measurement of {@link org.emodir.model.TorchNet}s on {@code Iterable<LabeledBatch>} data
 * ({@link org.emodir.eval.Evaluator}); training is one layer up, in {@code org.emodir.train}.
 *
 * <p>Population evaluation: {@link org.emodir.eval.PopulationEvaluator} takes off-heap
 * {@link org.emodir.eval.PopulationMasks} and fills {@link org.emodir.eval.Objectives} for a fixed
 * {@link org.emodir.eval.EvaluationData} batch, within a {@link org.emodir.eval.MemoryBudget}. Standalone use by
 * other optimisers, buffer layouts and the C API: docs/evaluator.md.
 */
package org.emodir.eval;
