/**
 * Java side of the native engine: the CPU and CUDA population evaluators that run
 * {@link org.emodir.program.SubnetProgram}s ({@link org.emodir.engine.PopulationEvaluators#best} picks one), their
 * memory-budget chunking, and the NSGA-II adapter {@link org.emodir.engine.MaskEvaluationProblem}. The programs
 * themselves (op IR, builders, MAC counting) are in {@link org.emodir.program}. See docs/evaluator.md.
 */
package org.emodir.engine;
