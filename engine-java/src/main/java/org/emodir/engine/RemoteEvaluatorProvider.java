package org.emodir.engine;

import java.util.List;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.StreamedParts;
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

    /**
     * An evaluator of {@code program} on the batch given as consecutive {@code parts} (e.g. the segments of a feature
     * cache, {@code FeatureCache.evaluationParts}) at {@code precision}, whose objectives equal those of the local
     * {@link NativeCpuEvaluator#NativeCpuEvaluator(SubnetProgram, List, int, org.emodir.eval.MemoryBudget, Precision)}
     * on the same parts bit for bit. {@link StreamedParts} are read once, in order, while the evaluator is opened (each
     * element is valid only until the next {@code get}); nothing of them is kept.
     *
     * <p>The default serves providers written before multi-part evaluation: one part at fp32 goes to {@link
     * #open(String, String, SubnetProgram, EvaluationData, int)}; anything else is refused.
     *
     * @throws UnsupportedOperationException when this provider cannot evaluate several parts or {@code precision}
     */
    default PopulationEvaluator open(
            String address,
            String job,
            SubnetProgram program,
            List<EvaluationData> parts,
            int threads,
            Precision precision) {
        if (precision != Precision.FP32) {
            throw new UnsupportedOperationException("--" + name() + " evaluates fp32 only, not " + precision.label()
                    + " (an older engine-" + name() + " jar)");
        }
        if (parts.size() != 1) {
            throw new UnsupportedOperationException("--" + name() + " takes the calibration batch as one part, got "
                    + parts.size() + " (an older engine-" + name() + " jar)");
        }
        return open(address, job, program, parts.get(0), threads);
    }
}
