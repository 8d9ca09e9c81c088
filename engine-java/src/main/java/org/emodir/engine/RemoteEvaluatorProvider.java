package org.emodir.engine;

import org.emodir.eval.EvaluationData;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.program.SubnetProgram;

/**
 * A population evaluator that runs outside this JVM (on a cluster). Found with {@link java.util.ServiceLoader} by
 * {@link PopulationEvaluators#remote}, so the engine never depends on a cluster framework: the engine-spark module
 * provides {@code "spark"}.
 */
public interface RemoteEvaluatorProvider {
    /** The name a run selects it by (the command-line flag without dashes), e.g. {@code "spark"}. */
    String name();

    /**
     * An evaluator of {@code program} on {@code data} whose objectives equal those of the local native CPU engine bit
     * for bit (they are per individual, so however the population is split they do not change).
     *
     * @param address where to run (Spark: the master URL)
     * @param job     a readable name of this program and data (logs, the cluster's job names)
     * @param threads native threads per evaluation where it runs
     */
    PopulationEvaluator open(String address, String job, SubnetProgram program, EvaluationData data, int threads);
}
