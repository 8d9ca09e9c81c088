package org.emodir.gpir;

import java.util.ArrayList;
import java.util.List;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.features.FeatureCache;
import org.emodir.model.NetSpec;
import org.emodir.model.io.StateDict;
import org.emodir.program.SubnetProgram;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * Global performance impairment of every front solution: the increase of the whole network's mean
 * cross-entropy on the held-out images when only that sub-network is replaced by the solution. Runs
 * natively on the network's tail (the sub-network, every later block and the classifier) from the cached
 * held-out features at the sub-network's input; later blocks keep all channels.
 */
public final class GpirMeasurer {
    /** A measured front plus the top-1 drop of each solution (same order as the front's solutions). */
    public record Measured(SubnetFront front, double denseLoss, double denseTop1, double[] top1Drop) {}

    private final NetSpec spec;
    private final StateDict weights;
    private final FeatureCache heldOut;
    private final int threads;

    public GpirMeasurer(NetSpec spec, StateDict weights, FeatureCache heldOut, int threads) {
        this.spec = spec;
        this.weights = weights;
        this.heldOut = heldOut;
        this.threads = threads;
    }

    public Measured measure(Subnet subnet, SubnetFront front) {
        int s = subnet.firstBlock();
        SubnetProgram program = NativePrograms.tail(spec, weights, s, heldOut.shape(s));
        List<SubnetSolution> sols = front.solutions();
        int pop = sols.size() + 1;
        PopulationMasks masks = new PopulationMasks(pop, program.numGenes());
        for (int i = 0; i < sols.size(); i++) {
            byte[] m = sols.get(i).mask();
            for (int g = 0; g < m.length; g++) masks.set(i + 1, g, m[g] != 0);
        }
        Objectives out = new Objectives(pop);
        // Always fp32, whatever precision the searches ran at (PruneConfig.precision): GPIR is measured once per front
        // solution (a few dozen per sub-network against hundreds of search evaluations), its impairments are
        // differences of nearly equal cross-entropies that decide the joint scheme, and adaptive-BN GPIR (the
        // default) runs on libtorch in fp32, so plain and adaptive GPIR stay comparable.
        try (NativeCpuEvaluator ev =
                new NativeCpuEvaluator(program, heldOut.evaluationParts(s, -1, true), threads, MemoryBudget.host())) {
            ev.evaluate(masks, pop, out);
        }
        double denseLoss = out.crossEntropy(0);
        double denseTop1 = out.top1(0) / heldOut.images();
        List<SubnetSolution> measured = new ArrayList<>();
        double[] drop = new double[sols.size()];
        for (int i = 0; i < sols.size(); i++) {
            SubnetSolution sol = sols.get(i);
            double gi = sol.isDense() ? 0.0 : out.crossEntropy(i + 1) - denseLoss;
            measured.add(sol.withGlobalImpairment(gi));
            drop[i] = denseTop1 - out.top1(i + 1) / heldOut.images();
        }
        return new Measured(
                new SubnetFront(front.subnet(), front.name(), front.denseMacs(), front.denseParams(), measured),
                denseLoss,
                denseTop1,
                drop);
    }
}
