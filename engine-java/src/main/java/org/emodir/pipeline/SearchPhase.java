package org.emodir.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.evo.Nsga2Config;
import org.emodir.features.FeatureCache;
import org.emodir.gpir.NativePrograms;
import org.emodir.program.NetSpecPrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.report.ReportJson;
import org.emodir.run.AtomicFiles;
import org.emodir.run.RunDirectory;
import org.emodir.search.FeatureSelector;
import org.emodir.search.MaskProblem;
import org.emodir.search.MaskScores;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSearch;
import org.emodir.search.SubnetSolution;

/** Divide and conquer: one NSGA-II per sub-network on the cached calibration features, each phase checkpointed. */
final class SearchPhase {
    /**
     * One sub-network's search; {@code selectorCe}: the feature selector's cross-entropy of every front solution when
     * the search ran on MSE but the selector was asked for too (impairment both), else empty.
     */
    record One(SubnetFront front, long forwardMacs, long evaluations, List<Double> selectorCe) {}

    /** All searches: their fronts (local impairment only), forward MACs, evaluations and wall time. */
    record Searched(
            List<SubnetFront> fronts,
            long forwardMacs,
            long evaluations,
            double seconds,
            List<List<Double>> selectorCe) {}

    private SearchPhase() {}

    static Searched run(RunInputs in, Features f, PhaseLog phases, RunDirectory dir, SubnetSearch.AfterGeneration hook)
            throws IOException {
        List<SubnetFront> fronts = new ArrayList<>();
        List<List<Double>> selectorCe = new ArrayList<>();
        long macs = 0, evaluations = 0;
        double seconds = 0;
        for (Subnet sn : in.subnets()) {
            String name = "search-" + sn.index();
            One r = phases.run(
                    name,
                    sn.name() + " (" + sn.genes() + " channels)",
                    One.class,
                    () -> search(in, f, sn, name, dir, phases, hook));
            fronts.add(r.front());
            selectorCe.add(r.selectorCe());
            macs += r.forwardMacs();
            evaluations += r.evaluations();
            seconds += phases.seconds().get(name);
        }
        return new Searched(List.copyOf(fronts), macs, evaluations, seconds, selectorCe);
    }

    private static One search(
            RunInputs in,
            Features f,
            Subnet sn,
            String name,
            RunDirectory dir,
            PhaseLog phases,
            SubnetSearch.AfterGeneration hook)
            throws IOException {
        PruneConfig cfg = in.cfg();
        FeatureCache calib = f.calib();
        boolean selector = cfg.impairment() == PruneConfig.Impairment.SELECTOR;
        try (NativeCpuEvaluator ev = evaluator(in, f, sn, selector)) {
            MaskProblem problem = new MaskProblem(
                            sn,
                            ev,
                            in.cost(),
                            selector ? MaskProblem.Impairment.CROSS_ENTROPY : MaskProblem.Impairment.NORMALISED_MSE,
                            selector ? 0 : calib.meanSquare(sn.endBlock()),
                            calib.images(),
                            2 * cfg.population())
                    .seedWithL1(in.weights());
            Nsga2Config nc = Nsga2Config.binaryDefaults(cfg.population(), cfg.seed() * 31 + sn.index(), sn.genes());
            SubnetSearch.Result r = SubnetSearch.of(name, sn.index(), problem, nc)
                    .generations(cfg.generations())
                    .frontCap(cfg.frontCap())
                    .checkpointTo(phases.store())
                    .progress(phases.progress())
                    .afterGeneration(hook)
                    .run();
            // Written inside the phase, so a resumed run does not write it again.
            AtomicFiles.writeString(
                    dir.fronts().resolve(sn.name() + ".json"),
                    ReportJson.mapper().writeValueAsString(r.front()));
            List<Double> selectorCe = List.of();
            if (cfg.impairment() == PruneConfig.Impairment.BOTH) {
                try (NativeCpuEvaluator sel = evaluator(in, f, sn, true)) {
                    var masks = r.front().solutions().stream()
                            .map(SubnetSolution::mask)
                            .toList();
                    Objectives o = MaskScores.of(sel, masks);
                    selectorCe = java.util.stream.IntStream.range(0, masks.size())
                            .mapToObj(i -> (double) o.crossEntropy(i))
                            .toList();
                }
            }
            return new One(r.front(), r.forwardMacs(), r.evaluations(), selectorCe);
        }
    }

    /**
     * The native evaluator of one sub-network on the calibration features: scored against the dense output (MSE), or
     * through its feature selector's head (cross-entropy against the labels).
     */
    static NativeCpuEvaluator evaluator(RunInputs in, Features f, Subnet sn, boolean selector) {
        FeatureCache calib = f.calib();
        int from = sn.firstBlock(), to = sn.endBlock();
        if (!selector) {
            SubnetProgram program = NativePrograms.blocks(in.spec(), in.weights(), from, to, calib.shape(from));
            return new NativeCpuEvaluator(
                    program, calib.evaluationParts(from, to, false), in.cfg().threads(), MemoryBudget.host());
        }
        FeatureSelector s = f.selector(sn);
        SubnetProgram program = NetSpecPrograms.blocksWithHead(
                in.spec(), in.weights(), from, to, calib.shape(from), "selector", s.weight(), s.bias(), s.classes());
        return new NativeCpuEvaluator(
                program, calib.evaluationParts(from, -1, true), in.cfg().threads(), MemoryBudget.host());
    }
}
