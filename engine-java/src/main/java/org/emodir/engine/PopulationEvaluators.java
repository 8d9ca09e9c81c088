package org.emodir.engine;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.TorchReferenceEvaluator;
import org.emodir.program.SubnetProgram;

/** Picks a {@link PopulationEvaluator} implementation; the one place that decides CUDA versus CPU. */
public final class PopulationEvaluators {
    private static final Logger LOG = System.getLogger(PopulationEvaluators.class.getName());

    private PopulationEvaluators() {}

    /**
     * The fastest engine here: CUDA when the library was built with nvcc and a device is visible, else the
     * native CPU engine on {@code threads} threads. Logs the choice, and why CUDA was not taken.
     */
    public static PopulationEvaluator best(SubnetProgram program, EvaluationData data, int threads) {
        if (NativeCudaEvaluator.isAvailable()) {
            LOG.log(Level.INFO, "population evaluator: native CUDA");
            return new NativeCudaEvaluator(program, data);
        }
        LOG.log(
                Level.INFO,
                "population evaluator: native CPU, " + threads + " threads (CUDA unavailable: "
                        + NativeCudaEvaluator.unavailableReason() + ")");
        return new NativeCpuEvaluator(program, data, threads);
    }

    /** The libtorch baseline (dense convs, masked outputs zeroed): a correctness and speed reference. */
    public static PopulationEvaluator torchReference(SubnetProgram program, EvaluationData data, int threads) {
        LOG.log(Level.INFO, "population evaluator: libtorch reference, " + threads + " threads");
        return new TorchReferenceEvaluator(program, data, threads);
    }
}
