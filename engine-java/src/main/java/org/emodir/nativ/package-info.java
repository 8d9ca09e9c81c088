/**
 * Java side of the native engine: {@link org.emodir.nativ.SubnetProgram}s (built by hand with
 * {@link org.emodir.nativ.SubnetProgramBuilder} or from weights with {@link org.emodir.nativ.NetSpecPrograms} for any NetSpec family, or
 * {@link org.emodir.nativ.ResNetStagePrograms} for CIFAR ResNets),
 * the CPU and CUDA population evaluators ({@link org.emodir.nativ.PopulationEvaluators#best} picks one), MAC
 * counting ({@link org.emodir.nativ.ProgramMacs}) and the NSGA-II adapter
 * {@link org.emodir.nativ.MaskEvaluationProblem}. See docs/evaluator.md.
 */
package org.emodir.nativ;
