package org.emodir.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.engine.PopulationEvaluators;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
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
        try (PopulationEvaluator ev = searchEvaluator(in, f, sn, selector, name)) {
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

    /** The search's evaluator: on Spark when the run asks for it (same objectives), else {@link #evaluator}. */
    private static PopulationEvaluator searchEvaluator(
            RunInputs in, Features f, Subnet sn, boolean selector, String name) {
        String spark = in.cfg().spark();
        if (spark == null) return evaluator(in, f, sn, selector);
        Scored s = scored(in, f, sn, selector);
        // The features stream to the executors' payload part by part (segments of any size, bf16 storage decoded one
        // segment at a time), and the executors evaluate the same parts at the run's precision: the local objectives.
        return PopulationEvaluators.remote(
                "spark",
                spark,
                name,
                s.program(),
                s.parts(f.calib()),
                in.cfg().threads(),
                in.cfg().precision());
    }

    /**
     * The native evaluator of one sub-network on the calibration features: scored against the dense output (MSE), or
     * through its feature selector's head (cross-entropy against the labels). The features stream by segment. Its
     * convs run at the run's {@link PruneConfig#precision()}: this is every local (sub-network) objective, the
     * search's fitness and the local measures compared with GPIR ({@code --impairment both}), so the front and the
     * measures scored on it come from the same arithmetic. GPIR and every whole-network measurement stay fp32
     * ({@link org.emodir.gpir.GpirMeasurer}).
     */
    static NativeCpuEvaluator evaluator(RunInputs in, Features f, Subnet sn, boolean selector) {
        Scored s = scored(in, f, sn, selector);
        return new NativeCpuEvaluator(
                s.program(),
                s.parts(f.calib()),
                in.cfg().threads(),
                MemoryBudget.host(),
                in.cfg().precision());
    }

    /** A sub-network's program and which cached features it reads: input cut, reference cut (or -1), labels. */
    private record Scored(SubnetProgram program, int input, int reference, boolean labels) {
        List<EvaluationData> parts(FeatureCache c) {
            return c.evaluationParts(input, reference, labels);
        }
    }

    private static Scored scored(RunInputs in, Features f, Subnet sn, boolean selector) {
        FeatureCache calib = f.calib();
        int from = sn.firstBlock(), to = sn.endBlock();
        if (!selector) {
            return new Scored(
                    NativePrograms.blocks(in.spec(), in.weights(), from, to, calib.shape(from)), from, to, false);
        }
        FeatureSelector s = f.selector(sn);
        return new Scored(
                NetSpecPrograms.blocksWithHead(
                        in.spec(),
                        in.weights(),
                        from,
                        to,
                        calib.shape(from),
                        "selector",
                        s.weight(),
                        s.bias(),
                        s.classes()),
                from,
                -1,
                true);
    }
}
