/**
 * The op IR the population evaluators run: {@link org.emodir.program.SubnetProgram}s of
 * {@link org.emodir.program.SubnetOp}s, built by hand with {@link org.emodir.program.SubnetProgramBuilder} or from
 * weights with {@link org.emodir.program.NetSpecPrograms} for any NetSpec family, or
 * {@link org.emodir.program.ResNetStagePrograms} for CIFAR ResNets; BatchNorm folding and MAC counting
 * ({@link org.emodir.program.ProgramMacs}). Pure Java: the native binding lives in {@code org.emodir.engine}.
 */
package org.emodir.program;
