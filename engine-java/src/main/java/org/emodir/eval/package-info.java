/**
 * Accuracy measurement ({@link org.emodir.eval.Evaluator}) and training ({@link org.emodir.eval.Trainer},
 * {@link org.emodir.eval.Sgd}, {@link org.emodir.eval.LrSchedule}) of {@link org.emodir.model.TorchNet}s on
 * {@code Iterable<LabeledBatch>} data.
 */
package org.emodir.eval;
