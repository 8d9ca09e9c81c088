/**
 * Training side of the EMO-DIR pipeline: {@link org.emodir.emodir.train.PrunedModel} (a pruned net, saved as
 * {@code model.safetensors} + {@code architecture.json}, the latter documented in
 * {@link org.emodir.emodir.train.ArchitectureFile}), sub-network training with cross-network constraints
 * ({@link org.emodir.emodir.train.CrossNetworkTrainer}), resumable whole-network fine-tuning and evaluation
 * ({@link org.emodir.emodir.train.FineTuner}) and the uniform-width baseline ({@link org.emodir.emodir.train.UniformBaseline}).
 */
package org.emodir.emodir.train;
