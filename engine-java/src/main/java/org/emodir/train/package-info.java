/**
 * Training: the generic loop ({@link org.emodir.train.Trainer}, {@link org.emodir.train.Sgd},
 * {@link org.emodir.train.LrSchedule}) and, for the EMO-DIR pipeline, {@link org.emodir.model.PrunedModel} (a pruned net, saved as
 * {@code model.safetensors} + {@code architecture.json}, the latter documented in
 * {@link org.emodir.model.ArchitectureFile}), sub-network training with cross-network constraints
 * ({@link org.emodir.train.CrossNetworkTrainer}), resumable whole-network fine-tuning and evaluation
 * ({@link org.emodir.train.FineTuner}) and the uniform-width baseline ({@link org.emodir.train.UniformBaseline}).
 */
package org.emodir.train;
