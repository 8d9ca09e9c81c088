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

    /**
     * As {@link #best(SubnetProgram, EvaluationData, int)} with the batch as consecutive parts streamed through the
     * engine one after another (a calibration set in a memory-mapped feature file larger than memory).
     */
    public static PopulationEvaluator best(SubnetProgram program, java.util.List<EvaluationData> parts, int threads) {
        if (parts.size() == 1) return best(program, parts.get(0), threads);
        if (NativeCudaEvaluator.isAvailable()) {
            LOG.log(Level.INFO, "population evaluator: native CUDA, " + parts.size() + " streamed parts");
            return new NativeCudaEvaluator(program, parts, null);
        }
        LOG.log(Level.INFO, "population evaluator: native CPU, " + threads + " threads, " + parts.size() + " parts");
        return new NativeCpuEvaluator(program, parts, threads, org.emodir.eval.MemoryBudget.host());
    }

    /**
     * The evaluator of the {@link RemoteEvaluatorProvider} named {@code name} (e.g. "spark" at a master URL).
     *
     * @throws IllegalStateException when no such provider is on the class path (the message says which jar to add)
     */
    public static PopulationEvaluator remote(
            String name, String address, String job, SubnetProgram program, EvaluationData data, int threads) {
        RemoteEvaluatorProvider p = requireRemote(name);
        LOG.log(Level.INFO, "population evaluator: " + name + " at " + address + " (" + job + ")");
        return p.open(address, job, program, data, threads);
    }

    /**
     * As {@link #remote(String, String, String, SubnetProgram, EvaluationData, int)} with the batch as consecutive
     * {@code parts} (streamed to the cluster part by part; {@link org.emodir.eval.StreamedParts} are read once, in
     * order) and the convs at {@code precision}: the objectives equal the local {@code NativeCpuEvaluator}'s on the
     * same parts at the same precision.
     *
     * @throws IllegalStateException when no such provider is on the class path (the message says which jar to add)
     */
    public static PopulationEvaluator remote(
            String name,
            String address,
            String job,
            SubnetProgram program,
            java.util.List<EvaluationData> parts,
            int threads,
            Precision precision) {
        RemoteEvaluatorProvider p = requireRemote(name);
        LOG.log(
                Level.INFO,
                "population evaluator: " + name + " at " + address + " (" + job + ", " + parts.size() + " part"
                        + (parts.size() == 1 ? "" : "s") + ", " + precision.label() + ")");
        return p.open(address, job, program, parts, threads, precision);
    }

    /**
     * The provider named {@code name}; a run checks it before its first phase, so a missing jar fails in seconds.
     *
     * @throws IllegalStateException when it is not on the class path (the message says which jar to add)
     */
    public static RemoteEvaluatorProvider requireRemote(String name) {
        for (RemoteEvaluatorProvider p : java.util.ServiceLoader.load(RemoteEvaluatorProvider.class)) {
            if (p.name().equals(name)) return p;
        }
        throw new IllegalStateException("--" + name + " needs the engine-" + name + " jar on the class path: build it"
                + " with 'mvn -Pcluster-jar package -pl engine-" + name + " -am' and start emodir with spark-submit"
                + " (README.md, Running on a cluster)");
    }

    /** The libtorch baseline (dense convs, masked outputs zeroed): a correctness and speed reference. */
    public static PopulationEvaluator torchReference(SubnetProgram program, EvaluationData data, int threads) {
        LOG.log(Level.INFO, "population evaluator: libtorch reference, " + threads + " threads");
        return new TorchReferenceEvaluator(program, data, threads);
    }
}
