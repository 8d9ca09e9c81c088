package org.emodir.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.emodir.data.Datasets;
import org.emodir.data.ImageDataset;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.EvalResult;
import org.emodir.eval.EvaluationData;
import org.emodir.evo.Metrics;
import org.emodir.evo.Nsga2Config;
import org.emodir.features.CalibrationSets;
import org.emodir.features.FeatureCache;
import org.emodir.gpir.AdaptiveBnGpirMeasurer;
import org.emodir.gpir.AdaptiveBnNetworkEvaluator;
import org.emodir.gpir.GpirMeasurer;
import org.emodir.gpir.NativePrograms;
import org.emodir.gpir.NetworkMaskEvaluator;
import org.emodir.gpir.Spearman;
import org.emodir.model.CostModel;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsLoader;
import org.emodir.program.SubnetProgram;
import org.emodir.report.ReportFiles;
import org.emodir.report.ReportJson;
import org.emodir.report.RunReport;
import org.emodir.run.AtomicFiles;
import org.emodir.run.CheckpointStore;
import org.emodir.run.ProgressListener;
import org.emodir.run.RunDirectory;
import org.emodir.scheme.GpirRanker;
import org.emodir.scheme.JointScheme;
import org.emodir.scheme.JointSchemeSolver;
import org.emodir.scheme.NetworkCost;
import org.emodir.scheme.TradeoffCurve;
import org.emodir.search.MaskProblem;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSearch;
import org.emodir.search.SubnetSolution;
import org.emodir.search.SubnetSplit;
import org.emodir.train.CrossNetworkTrainer;
import org.emodir.train.FineTuneResult;
import org.emodir.train.FineTuner;
import org.emodir.train.UniformBaseline;

/**
 * EMO-DIR end to end on one run directory: features, one NSGA-II search per sub-network, GPIR, joint
 * scheme, cross-network constraint training, physical pruning, fine-tuning, baselines, report. Every
 * phase's result is checkpointed ({@link PhaseLog}, NSGA-II state every generation), so a killed job
 * started again on the same directory with the same configuration continues where it stopped.
 */
public final class PruneJob {
    /** Whole-network hypervolume reference: (all FLOPs kept, cross-entropy of a uniform guess = ln(classes)). */
    public static final double HV_REF_FLOPS = 1.0;

    private static final String CONFIG_CHECKPOINT = "config";
    private static final int FEATURE_BATCH = 128;
    /** Calibration images of the one adaptive-BN batch (a few hundred give stable statistics; bounds memory). */
    private static final int ADAPTIVE_BN_IMAGES = 256;

    private final PruneConfig cfg;
    private final ProgressListener progress;
    private SubnetSearch.AfterGeneration afterGeneration;

    public PruneJob(PruneConfig cfg, ProgressListener progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    /** Test hook run after every NSGA-II generation's checkpoint (e.g. throw to simulate a kill). */
    public PruneJob afterGeneration(SubnetSearch.AfterGeneration hook) {
        this.afterGeneration = hook;
        return this;
    }

    record SearchRecord(SubnetFront front, long forwardMacs, long evaluations) {}

    record GpirRecord(List<SubnetFront> fronts, double denseLoss, double denseTop1, List<double[]> top1Drop) {}

    record TrainRecord(double top1, double loss, long images, double constraintSeconds, double finetuneSeconds) {}

    record HypervolumeRecord(List<double[]> points, double hypervolume) {}

    record BaselineSearchRecord(long forwardMacs, long evaluations, List<double[]> points, double hypervolume) {}

    public RunReport run() throws IOException {
        try (RunDirectory run = RunDirectory.open(cfg.out(), cfg.force())) {
            CheckpointStore store = run.checkpointStore();
            prepareCheckpoints(run, store);
            RunReport report = new RunReport();
            report.startedAt = Instant.now().toString();
            report.model = cfg.model();
            report.config.putAll(cfg.resultSettings());
            report.target = cfg.target();
            report.versions.put("emodir", "0.1.0");
            report.versions.put("java", System.getProperty("java.version"));
            PhaseLog phases = new PhaseLog(store, progress, report.phaseSeconds);
            new Execution(run, store, phases, report).execute();
            // Which kind of host computed the numbers: libtorch convolutions checked / routed (issue 12).
            report.details.put("host", org.emodir.model.conv.HostInfo.detect().summary());
            report.details.put(
                    "conv_routing",
                    org.emodir.model.conv.ConvRouter.global().summary().toMap());
            report.finishedAt = Instant.now().toString();
            ReportFiles.save(run.root(), report);
            return report;
        }
    }

    /** Starts fresh with --force; otherwise resumes only checkpoints written under the same settings. */
    private void prepareCheckpoints(RunDirectory run, CheckpointStore store) throws IOException {
        String settings = ReportJson.mapper().writeValueAsString(cfg.resultSettings());
        if (cfg.force()) {
            try (Stream<Path> files = Files.list(run.checkpoints())) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
        }
        var saved = store.load(CONFIG_CHECKPOINT);
        if (saved.isPresent()) {
            String old = new String(saved.get().data(), java.nio.charset.StandardCharsets.UTF_8);
            if (!old.equals(settings)) {
                throw new IllegalArgumentException(
                        "run directory " + run.root() + " holds checkpoints of other settings;"
                                + " use another --out or --force to start over. Saved: " + old + " Now: " + settings);
            }
            progress.message("resuming from the checkpoints in " + run.checkpoints());
        } else {
            if (cfg.resume()) progress.message("nothing to resume in " + run.root() + ", starting a new run");
            store.save(CONFIG_CHECKPOINT, settings.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** One run's state, built phase by phase. */
    private final class Execution {
        final RunDirectory run;
        final CheckpointStore store;
        final PhaseLog phases;
        final RunReport report;
        NetSpec spec;
        StateDict weights;
        TorchNet dense;
        ImageDataset train;
        ImageDataset test;
        CostModel cost;
        NetworkCost networkCost;
        SubnetSplit.MinKeep minKeep;
        List<Subnet> subnets;
        CalibrationSets sets;
        FeatureCache calibFeatures;
        FeatureCache heldOutFeatures;

        Execution(RunDirectory run, CheckpointStore store, PhaseLog phases, RunReport report) {
            this.run = run;
            this.store = store;
            this.phases = phases;
            this.report = report;
        }

        void execute() throws IOException {
            load();
            long t0 = System.nanoTime();
            progress.phase("features", sets.toString());
            // Cut 0 (the stem output) also serves the adaptive-BN whole-network measurements.
            int[] cuts = java.util.stream.IntStream.concat(
                            java.util.stream.IntStream.of(0),
                            subnets.stream()
                                    .flatMapToInt(sn -> java.util.stream.IntStream.of(sn.firstBlock(), sn.endBlock())))
                    .distinct()
                    .sorted()
                    .toArray();
            FeatureCache calib =
                    FeatureCache.build(dense, train, sets.calibration(), FEATURE_BATCH, cuts, progress::message);
            FeatureCache heldOut =
                    FeatureCache.build(dense, train, sets.heldOut(), FEATURE_BATCH, cuts, progress::message);
            calibFeatures = calib;
            heldOutFeatures = heldOut;
            report.phaseSeconds.put("features", (System.nanoTime() - t0) / 1e9);

            long searchEvaluations = searchAll(calib);
            List<SubnetFront> measured = measureGpir(calib, heldOut);
            JointScheme chosen = chooseScheme(measured);
            HypervolumeRecord hv = phases.run(
                    "hypervolume",
                    "EMO-DIR trade-off on held-out images",
                    HypervolumeRecord.class,
                    () -> emodirHypervolume(report.tradeoff));
            report.hypervolume = hv.hypervolume();
            report.details.put("tradeoff_heldout_points", hv.points());

            TrainRecord pruned = phases.run(
                    "prune-finetune",
                    "constraint training, pruning, fine-tuning",
                    TrainRecord.class,
                    () -> pruneAndFinetune(chosen));
            report.top1PrunedFinetuned = pruned.top1();
            report.details.put("pruned_test_loss", pruned.loss());
            report.details.put("eval_images", pruned.images());
            baselines(searchEvaluations);
        }

        /** One NSGA-II search per sub-network; returns the evaluations spent. */
        long searchAll(FeatureCache calib) throws IOException {
            long macs = 0;
            long evaluations = 0;
            double seconds = 0;
            List<SubnetFront> fronts = new ArrayList<>();
            for (Subnet sn : subnets) {
                String name = "search-" + sn.index();
                SearchRecord r = phases.run(
                        name,
                        sn.name() + " (" + sn.genes() + " channels)",
                        SearchRecord.class,
                        () -> search(sn, calib));
                fronts.add(r.front());
                macs += r.forwardMacs();
                evaluations += r.evaluations();
                seconds += report.phaseSeconds.get(name);
                AtomicFiles.writeString(
                        run.fronts().resolve(sn.name() + ".json"),
                        ReportJson.mapper().writeValueAsString(r.front()));
            }
            report.fronts = fronts;
            report.searchForwardFlops = macs;
            report.searchSeconds = seconds;
            report.details.put("search_evaluations", evaluations);
            return evaluations;
        }

        List<SubnetFront> measureGpir(FeatureCache calib, FeatureCache heldOut) throws IOException {
            List<SubnetFront> searched = report.fronts;
            GpirRecord gpir = phases.run(
                    "gpir",
                    heldOut.images() + " held-out images"
                            + (cfg.gpirAdaptiveBn() ? ", BN recalibrated on the calibration images" : ""),
                    GpirRecord.class,
                    () -> gpir(searched, calib, heldOut));
            List<SubnetFront> measured = gpir.fronts();
            report.fronts = measured;
            report.details.put("gpir_dense_loss", gpir.denseLoss());
            report.details.put("gpir_dense_top1", gpir.denseTop1());
            report.details.put("gpir_top1_drop", gpir.top1Drop());
            report.details.put("local_global_spearman", localGlobalSpearman(measured));
            report.details.put("gpir_forward_flops", gpirForwardMacs(measured, heldOut.images()));
            return measured;
        }

        /** GPIR ranking, greedy and exact schemes, trade-off curve; the exact scheme is applied. */
        JointScheme chooseScheme(List<SubnetFront> measured) {
            long s0 = System.nanoTime();
            progress.phase(
                    "scheme",
                    cfg.target().kind() + " reduction >= " + cfg.target().fraction());
            report.gpirRanking = GpirRanker.rank(measured, networkCost);
            report.schemeGreedy = GpirRanker.greedy(measured, networkCost, cfg.target());
            report.schemeExact = JointSchemeSolver.solve(measured, networkCost, cfg.target());
            report.tradeoff = TradeoffCurve.sweep(
                    measured, networkCost, cfg.target().kind(), TradeoffCurve.evenTargets(cfg.tradeoffStep()));
            JointScheme chosen = report.schemeExact;
            report.applyScheme(chosen, networkCost);
            // Sub-network costs add up exactly where cuts are residual-tied (ResNets); where a sub-network's pruned
            // output feeds the next one (VGG) the network removes more than predicted, never less.
            byte[] mask = networkMask(chosen.choices());
            long macs = cost.denseMacs() - cost.removedMacs(spec.prunableGroups(), mask, 0);
            long params = cost.denseParams() - cost.removedParams(spec.prunableGroups(), mask, 0);
            if (macs > chosen.macs() || params > chosen.params()) {
                throw new IllegalStateException("the pruned network keeps " + macs + " MACs / " + params
                        + " params, more than the scheme's " + chosen.macs() + " / " + chosen.params());
            }
            report.details.put("scheme_predicted_macs", chosen.macs());
            report.details.put("scheme_predicted_params", chosen.params());
            report.macsAfter = macs;
            report.paramsAfter = params;
            report.flopsReduction = 1.0 - (double) macs / cost.denseMacs();
            report.paramsReduction = 1.0 - (double) params / cost.denseParams();
            report.phaseSeconds.put("scheme", (System.nanoTime() - s0) / 1e9);
            progress.message(String.format(
                    "scheme: FLOPs -%.1f%%, params -%.1f%%, predicted impairment %.4f",
                    100 * report.flopsReduction, 100 * report.paramsReduction, chosen.predictedImpairment()));
            return chosen;
        }

        void baselines(long searchEvaluations) throws IOException {
            report.details.put("baseline_finetune_epochs", baselineEpochs());
            report.top1Dense = phases.run(
                    "dense-eval",
                    "dense model on the test split",
                    Double.class,
                    () -> new FineTuner()
                            .evaluate(new PrunedModel(spec, weights), test, cfg.evalImages(), cfg.batchSize())
                            .top1());
            report.top1DenseFinetuned = phases.run(
                    "dense-finetune", "dense baseline, same training budget", Double.class, this::denseFinetuned);
            report.uniformBaselineTop1 = phases.run(
                    "uniform-baseline", "one keep ratio for every layer", Double.class, this::uniformBaseline);
            if (cfg.baselineWholeNetwork()) {
                SubnetSearch.Stop stop;
                String budget;
                int planned;
                if (cfg.baselineCostRatio() > 0) {
                    long macs = (long) Math.ceil(cfg.baselineCostRatio() * report.searchForwardFlops);
                    stop = (g, forward, evals) -> forward >= macs;
                    // ETA only: individuals keep about half their channels on average.
                    planned = (int) Math.ceil(
                            macs / (0.5 * cost.denseMacs() * sets.baselineCalibration().length * cfg.population()));
                    budget = "until " + macs + " forward MACs (" + cfg.baselineCostRatio() + "x the EMO-DIR search)";
                } else {
                    long evaluations = cfg.baselineEvaluations() > 0 ? cfg.baselineEvaluations() : searchEvaluations;
                    int generations = (int) Math.max(1, Math.ceil((double) evaluations / cfg.population()) - 1);
                    stop = SubnetSearch.Stop.afterGenerations(generations);
                    planned = generations;
                    budget = evaluations + " evaluations";
                }
                BaselineSearchRecord b = phases.run(
                        "whole-network-baseline",
                        budget,
                        BaselineSearchRecord.class,
                        () -> wholeNetworkBaseline(stop, planned));
                report.baselineSearchForwardFlops = b.forwardMacs();
                report.baselineHypervolume = b.hypervolume();
                report.details.put("baseline_search_seconds", report.phaseSeconds.get("whole-network-baseline"));
                report.details.put("baseline_evaluations", b.evaluations());
                report.details.put("baseline_heldout_points", b.points());
            }
        }

        void load() throws IOException {
            progress.phase("load", cfg.model() + " from " + cfg.weights());
            weights = WeightsLoader.load(cfg.weights());
            DataSplits splits = DataSplits.find(cfg.data());
            train = Datasets.imageFolder(splits.train(), splits.geometry(), cfg.cacheDir());
            test = Datasets.imageFolder(splits.test(), splits.geometry(), cfg.cacheDir());
            report.dataset = splits.name();
            spec = NetSpec.dense(cfg.model(), train.numClasses());
            if (test.numClasses() != train.numClasses()) {
                throw new IllegalArgumentException(splits.test() + " has " + test.numClasses() + " classes but "
                        + splits.train() + " has " + train.numClasses());
            }
            dense = TorchNet.fromStateDict(spec, weights);
            cost = new CostModel(
                    spec, train.geometry().height(), train.geometry().width());
            networkCost = new NetworkCost(cost.denseMacs(), cost.denseParams());
            minKeep = new SubnetSplit.MinKeep(cfg.minChannels(), cfg.minFraction());
            subnets = SubnetSplit.of(spec, minKeep, cfg.subnetsPerStage());
            sets = CalibrationSets.draw(
                    train, cfg.calibPerClass(), cfg.baselineCalibPerClass(), cfg.heldOutPerClass(), cfg.seed());
        }

        SearchRecord search(Subnet sn, FeatureCache calib) throws IOException {
            int from = sn.firstBlock(), to = sn.endBlock();
            SubnetProgram program = NativePrograms.blocks(spec, weights, from, to, calib.shape(from));
            EvaluationData data = new EvaluationData(calib.feature(from), calib.images(), calib.feature(to), null);
            try (NativeCpuEvaluator ev = new NativeCpuEvaluator(program, data, cfg.threads())) {
                MaskProblem problem = new MaskProblem(
                                sn,
                                ev,
                                cost,
                                MaskProblem.Impairment.NORMALISED_MSE,
                                calib.meanSquare(to),
                                calib.images(),
                                2 * cfg.population())
                        .seedWithL1(weights);
                Nsga2Config nc = Nsga2Config.binaryDefaults(cfg.population(), cfg.seed() * 31 + sn.index(), sn.genes());
                SubnetSearch.Result r = SubnetSearch.run(
                        "search-" + sn.index(),
                        sn.index(),
                        problem,
                        nc,
                        cfg.generations(),
                        cfg.frontCap(),
                        store,
                        progress,
                        afterGeneration);
                return new SearchRecord(r.front(), r.forwardMacs(), r.evaluations());
            }
        }

        GpirRecord gpir(List<SubnetFront> fronts, FeatureCache calib, FeatureCache heldOut) {
            GpirMeasurer plain = new GpirMeasurer(spec, weights, heldOut, cfg.threads());
            AdaptiveBnGpirMeasurer adaptive = cfg.gpirAdaptiveBn()
                    ? new AdaptiveBnGpirMeasurer(spec, weights, calib, heldOut, ADAPTIVE_BN_IMAGES)
                    : null;
            List<SubnetFront> out = new ArrayList<>();
            List<double[]> drops = new ArrayList<>();
            double loss = Double.NaN, top1 = Double.NaN;
            for (Subnet sn : subnets) {
                GpirMeasurer.Measured r = adaptive != null
                        ? adaptive.measure(sn, fronts.get(sn.index()))
                        : plain.measure(sn, fronts.get(sn.index()));
                out.add(r.front());
                drops.add(r.top1Drop());
                loss = r.denseLoss();
                top1 = r.denseTop1();
            }
            return new GpirRecord(out, loss, top1, drops);
        }

        /** GPIR's measuring cost: each pruned sub-network plus the dense rest of the network on the held-out images. */
        long gpirForwardMacs(List<SubnetFront> fronts, int images) {
            long total = 0;
            for (Subnet sn : subnets) {
                long rest = cost.blockMacs(sn.endBlock(), spec.numBlocks());
                for (SubnetSolution sol : fronts.get(sn.index()).solutions()) {
                    if (!sol.isDense()) total += (sol.macs() + rest) * images;
                }
            }
            return total;
        }

        /** Per sub-network: Spearman correlation of the search's impairment (normalised MSE) with the measured GPIR. */
        List<Double> localGlobalSpearman(List<SubnetFront> fronts) {
            List<Double> r = new ArrayList<>();
            for (SubnetFront f : fronts) {
                List<SubnetSolution> sols =
                        f.solutions().stream().filter(s -> !s.isDense()).toList();
                r.add(Spearman.of(
                        sols.stream()
                                .mapToDouble(SubnetSolution::localImpairment)
                                .toArray(),
                        sols.stream()
                                .mapToDouble(SubnetSolution::globalImpairment)
                                .toArray()));
            }
            return r;
        }

        /** The whole-network mask of one choice per sub-network (sub-networks cover the groups in order). */
        byte[] networkMask(List<SubnetSolution> choices) {
            int genes =
                    spec.prunableGroups().stream().mapToInt(g -> g.denseWidth()).sum();
            byte[] mask = new byte[genes];
            java.util.Arrays.fill(mask, (byte) 1);
            for (Subnet sn : subnets) {
                int start = offsetOf(sn.groups().get(0).index());
                byte[] m = choices.get(sn.index()).mask();
                System.arraycopy(m, 0, mask, start, m.length);
            }
            return mask;
        }

        int offsetOf(int groupIndex) {
            int off = 0;
            for (int i = 0; i < groupIndex; i++)
                off += spec.prunableGroups().get(i).denseWidth();
            return off;
        }

        double remainingRatio(byte[] networkMask) {
            return 1.0 - (double) cost.removedMacs(spec.prunableGroups(), networkMask, 0) / cost.denseMacs();
        }

        /**
         * Held-out {CE, top-1} of whole-network masks: natively, or with adaptive BN (libtorch, every pruned network's BN
         * statistics recalibrated on the calibration images) when GPIR uses it, so both trade-offs are measured alike.
         */
        double[][] heldOutLossAndTop1(List<byte[]> masks) {
            if (cfg.gpirAdaptiveBn()) {
                return new AdaptiveBnNetworkEvaluator(spec, weights, calibFeatures, heldOutFeatures, ADAPTIVE_BN_IMAGES)
                        .evaluate(masks);
            }
            try (NetworkMaskEvaluator ev =
                    new NetworkMaskEvaluator(spec, weights, train, sets.heldOut(), cfg.threads())) {
                return ev.evaluate(masks);
            }
        }

        HypervolumeRecord emodirHypervolume(TradeoffCurve curve) {
            // Neighbouring targets often share a scheme: measure each distinct network once.
            java.util.Map<String, byte[]> distinct = new java.util.LinkedHashMap<>();
            for (TradeoffCurve.Point p : curve.points()) {
                byte[] m = networkMask(p.exact().choices());
                distinct.putIfAbsent(java.util.Arrays.toString(m), m);
            }
            List<byte[]> masks = new ArrayList<>(distinct.values());
            List<Double> x = masks.stream().map(this::remainingRatio).toList();
            List<double[]> points = new ArrayList<>();
            double[][] r = heldOutLossAndTop1(masks);
            for (int i = 0; i < r.length; i++) points.add(new double[] {x.get(i), r[i][0]});
            return new HypervolumeRecord(
                    points, Metrics.hypervolume(points, HV_REF_FLOPS, Math.log(spec.numClasses())));
        }

        TrainRecord pruneAndFinetune(JointScheme scheme) throws IOException {
            byte[] networkMask = networkMask(scheme.choices());
            byte[][] masks = new byte[spec.prunableGroups().size()][];
            for (var g : spec.prunableGroups()) {
                int off = offsetOf(g.index());
                masks[g.index()] = java.util.Arrays.copyOfRange(networkMask, off, off + g.denseWidth());
            }
            PrunedModel model = PrunedModel.fromMasks(spec, weights, spec.prunableGroups(), masks);
            long macs = org.emodir.model.Flops.count(
                            model.spec(),
                            train.geometry().height(),
                            train.geometry().width())
                    .totalMacs();
            if (macs != report.macsAfter) {
                throw new IllegalStateException(
                        "pruned network has " + macs + " MACs but the cost model gives " + report.macsAfter);
            }
            long c0 = System.nanoTime();
            if (cfg.constraintSteps() > 0) {
                CrossNetworkTrainer.Config cc = new CrossNetworkTrainer.Config()
                        .steps(cfg.constraintSteps())
                        .batchSize(cfg.batchSize())
                        .lr(cfg.constraintLr())
                        .lambdaFeature(cfg.constraintLambda())
                        .seed(cfg.seed())
                        .subnets(subnets.stream()
                                .map(sn -> new int[] {sn.firstBlock(), sn.endBlock()})
                                .toList())
                        .augmentation(org.emodir.data.Augmentation.cropFlipFor(train.geometry()))
                        .keptAtCut(keptAtCuts(masks));
                model = model.withWeights(new CrossNetworkTrainer().train(dense, model, train, cc, progress::message));
            }
            double constraintSeconds = (System.nanoTime() - c0) / 1e9;
            FineTuneResult tuned = finetune(model, "finetune-pruned", cfg.finetuneEpochs());
            if (tuned != null) model = model.withWeights(tuned.weights());
            model.save(run.pruned());
            EvalResult ev = new FineTuner().evaluate(model, test, cfg.evalImages(), cfg.batchSize());
            progress.message("pruned fine-tuned: " + ev);
            return new TrainRecord(
                    ev.top1(), ev.loss(), ev.images(), constraintSeconds, tuned == null ? 0 : tuned.seconds());
        }

        /** Kept dense channel indices at every cut whose channels are pruned (VGG), from the per-group masks. */
        java.util.Map<Integer, int[]> keptAtCuts(byte[][] masks) {
            java.util.Map<Integer, int[]> kept = new java.util.HashMap<>();
            for (Subnet sn : subnets) {
                var g = spec.outputGroup(sn.endBlock() - 1);
                if (g == null) continue;
                byte[] m = masks[g.index()];
                kept.put(
                        sn.endBlock(),
                        java.util.stream.IntStream.range(0, m.length)
                                .filter(c -> m[c] != 0)
                                .toArray());
            }
            return kept;
        }

        /** The one fine-tune recipe of the pruned model and both baselines; resumable from its own state file. */
        FineTuneResult finetune(PrunedModel model, String name, double epochs) {
            if (epochs <= 0) return null;
            FineTuner.Config fc = new FineTuner.Config()
                    .epochs(epochs)
                    .batchSize(cfg.batchSize())
                    .lr(cfg.finetuneLr())
                    .distillAlpha(cfg.distillAlpha())
                    .seed(cfg.seed())
                    .augmentation(org.emodir.data.Augmentation.cropFlipFor(train.geometry()))
                    .checkpoint(run.checkpoints().resolve(name + ".state"));
            return new FineTuner().finetune(model, dense, train, fc, progress::message);
        }

        /**
         * The baselines' fine-tune budget: the pruned model's fine-tune plus as many training images as its
         * cross-network constraint training saw, so every model is trained on the same number of images.
         */
        double baselineEpochs() {
            double constraintImages = (double) cfg.constraintSteps() * subnets.size() * cfg.batchSize();
            return cfg.finetuneEpochs() + constraintImages / train.size();
        }

        double finetuneAndEvaluate(PrunedModel model, String name) {
            FineTuneResult tuned = finetune(model, name, baselineEpochs());
            PrunedModel m = tuned == null ? model : model.withWeights(tuned.weights());
            return new FineTuner()
                    .evaluate(m, test, cfg.evalImages(), cfg.batchSize())
                    .top1();
        }

        double denseFinetuned() {
            return finetuneAndEvaluate(new PrunedModel(spec, weights), "finetune-dense");
        }

        /** One keep ratio for every group, at the FLOPs reduction the EMO-DIR scheme reached. */
        double uniformBaseline() {
            PrunedModel uniform = UniformBaseline.atFlops(spec, weights, report.flopsReduction);
            report.details.put(
                    "uniform_baseline_widths", uniform.spec().channelConfig().toArray());
            return finetuneAndEvaluate(uniform, "finetune-uniform");
        }

        /**
         * NSGA-II over every channel bit with whole-network fitness until {@code stop}. Its forward FLOPs are the
         * stages' (counted by the problem) plus the stem and classifier of every evaluation.
         */
        BaselineSearchRecord wholeNetworkBaseline(SubnetSearch.Stop stop, int planned) throws IOException {
            Subnet whole = SubnetSplit.whole(spec, minKeep);
            int n = cfg.population();
            int images = sets.baselineCalibration().length;
            long fixedMacs = cost.denseMacs() - cost.blockMacs(0, spec.numBlocks());
            SubnetSearch.Stop total =
                    (g, stageMacs, evals) -> stop.reached(g, stageMacs + fixedMacs * images * evals, evals);
            SubnetSearch.Result r;
            try (NetworkMaskEvaluator ev =
                    new NetworkMaskEvaluator(spec, weights, train, sets.baselineCalibration(), cfg.threads())) {
                MaskProblem problem = new MaskProblem(
                                whole, ev.evaluator(), cost, MaskProblem.Impairment.CROSS_ENTROPY, 0, images, 2 * n)
                        .seedWithL1(weights);
                Nsga2Config nc = Nsga2Config.binaryDefaults(n, cfg.seed() * 31 + 1000, whole.genes());
                r = SubnetSearch.run(
                        "baseline",
                        0,
                        problem,
                        nc,
                        total,
                        planned,
                        Integer.MAX_VALUE,
                        store,
                        progress,
                        afterGeneration);
            }
            long forward = r.forwardMacs() + fixedMacs * images * r.evaluations();
            List<byte[]> masks =
                    r.front().solutions().stream().map(SubnetSolution::mask).toList();
            List<double[]> points = new ArrayList<>();
            double[][] res = heldOutLossAndTop1(masks);
            for (int i = 0; i < res.length; i++) points.add(new double[] {remainingRatio(masks.get(i)), res[i][0]});
            double hv = Metrics.hypervolume(points, HV_REF_FLOPS, Math.log(spec.numClasses()));
            return new BaselineSearchRecord(forward, r.evaluations(), points, hv);
        }
    }

    /**
     * Where a run's images are: the data root holding {@code datasets/cifar10-jpg} (the shared layout), or an ImageFolder
     * root with {@code train/} and {@code test/} (CIFAR layout: 32x32 images read as stored) or {@code train/} and
     * {@code val/} (ImageNet layout: shorter side 256, centre 224, augmented in training by translation and flip only).
     */
    record DataSplits(Path train, Path test, org.emodir.data.ImageGeometry geometry, String name) {
        static DataSplits find(Path data) {
            Path root = data;
            Path nested = data.resolve("datasets").resolve("cifar10-jpg");
            if (Files.isDirectory(nested)) root = nested;
            Path train = root.resolve("train");
            for (String test : new String[] {"test", "val"}) {
                if (Files.isDirectory(train) && Files.isDirectory(root.resolve(test))) {
                    Path name = root.toAbsolutePath().normalize().getFileName();
                    org.emodir.data.ImageGeometry g = test.equals("val")
                            ? org.emodir.data.ImageGeometry.IMAGENET_EVAL
                            : org.emodir.data.ImageGeometry.CIFAR;
                    return new DataSplits(
                            train, root.resolve(test), g, name == null ? root.toString() : name.toString());
                }
            }
            throw new IllegalArgumentException("data directory " + data
                    + " has neither datasets/cifar10-jpg nor train/ with" + " test/ or val/ (ImageFolder layout)");
        }
    }
}
