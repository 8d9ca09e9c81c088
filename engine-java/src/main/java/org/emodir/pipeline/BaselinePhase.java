package org.emodir.pipeline;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.emodir.evo.Nsga2Config;
import org.emodir.gpir.NetworkMaskEvaluator;
import org.emodir.model.PrunedModel;
import org.emodir.search.MaskProblem;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetSearch;
import org.emodir.search.SubnetSolution;
import org.emodir.search.SubnetSplit;
import org.emodir.train.PruningCriteria;

/**
 * What EMO-DIR is compared with, at equal budgets: the dense model fine-tuned on as many images as EMO-DIR's training
 * saw; and pruned networks at the same FLOPs target (uniform L1; with {@code --baseline criteria} also global BN
 * scale and random channels; with {@code --baseline whole-network} the whole-network NSGA-II's member nearest the
 * target), each trained exactly as EMO-DIR's (constraint training, then the same fine-tune and teacher).
 */
final class BaselinePhase {
    /** A pruned baseline after training: test top-1, the MACs it removes, its widths. */
    record Pruned(double top1, double flopsReduction, int[] widths) {}

    /**
     * The whole-network NSGA-II: its forward MACs, evaluations, held-out trade-off, and its member nearest the target
     * trained like EMO-DIR's network.
     */
    record WholeNetwork(
            long forwardMacs,
            long evaluations,
            List<double[]> points,
            double hypervolume,
            Pruned nearestTarget,
            List<Snapshot> snapshots) {}

    /**
     * The whole-network search's front after a fraction of its budget: forward MACs spent so far, and its points
     * (remaining FLOPs ratio, CE) on the selection images; the last snapshot is the final front.
     */
    record Snapshot(long forwardMacs, long evaluations, int generations, List<double[]> points, List<byte[]> masks) {}

    /** Fronts measured along the whole-network search, so that costs can be compared at equal hypervolume. */
    static final int SNAPSHOTS = 4;

    /** {@code criteria}: criterion name -> its trained network (empty unless asked for); {@code wholeNetwork}: null unless asked for. */
    record Baselines(
            double epochs,
            double top1Dense,
            double top1DenseFinetuned,
            Pruned uniform,
            Map<String, Pruned> criteria,
            WholeNetwork wholeNetwork) {}

    private BaselinePhase() {}

    static Baselines run(
            RunInputs in,
            Features f,
            SearchPhase.Searched searched,
            SchemePhase.Chosen chosen,
            FineTuneRecipe recipe,
            PhaseLog phases,
            SubnetSearch.AfterGeneration hook)
            throws IOException {
        PrunedModel dense = new PrunedModel(in.spec(), in.weights());
        double top1Dense = phases.run(
                "dense-eval",
                "dense model on the test split",
                Double.class,
                () -> recipe.evaluate(dense).top1());
        double top1DenseFinetuned = phases.run(
                "dense-finetune",
                "dense baseline, same training budget",
                Double.class,
                () -> recipe.baselineTop1(dense, "finetune-dense"));
        Pruned uniform = phases.run(
                "uniform-baseline",
                "one keep ratio for every layer, trained like EMO-DIR's network",
                Pruned.class,
                () -> trained(in, recipe, PruningCriteria.Criterion.UNIFORM_L1, chosen.flopsReduction()));
        Map<String, Pruned> criteria = new LinkedHashMap<>();
        if (in.cfg().baselineCriteria()) {
            for (PruningCriteria.Criterion c :
                    List.of(PruningCriteria.Criterion.GLOBAL_BN_SCALE, PruningCriteria.Criterion.RANDOM)) {
                String name = c.name().toLowerCase(Locale.ROOT);
                criteria.put(
                        name,
                        phases.run(
                                name + "-baseline",
                                name.replace('_', ' ') + " at the same FLOPs, trained like EMO-DIR's network",
                                Pruned.class,
                                () -> trained(in, recipe, c, chosen.flopsReduction())));
            }
        }
        WholeNetwork whole =
                in.cfg().baselineWholeNetwork() ? wholeNetwork(in, f, searched, recipe, phases, hook) : null;
        return new Baselines(recipe.baselineEpochs(), top1Dense, top1DenseFinetuned, uniform, criteria, whole);
    }

    private static Pruned trained(
            RunInputs in, FineTuneRecipe recipe, PruningCriteria.Criterion c, double flopsReduction) {
        return train(
                in,
                recipe,
                NetworkMasks.criterion(in, c, flopsReduction),
                c.name().toLowerCase(Locale.ROOT));
    }

    private static Pruned train(RunInputs in, FineTuneRecipe recipe, byte[] networkMask, String name) {
        FineTuneRecipe.Trained t = recipe.trainPruned(NetworkMasks.perGroup(in, networkMask), name);
        return new Pruned(
                recipe.evaluate(t.model()).top1(),
                1 - NetworkMasks.remainingRatio(in, networkMask),
                t.model().spec().channelConfig().toArray());
    }

    private static WholeNetwork wholeNetwork(
            RunInputs in,
            Features f,
            SearchPhase.Searched searched,
            FineTuneRecipe recipe,
            PhaseLog phases,
            SubnetSearch.AfterGeneration hook)
            throws IOException {
        PruneConfig cfg = in.cfg();
        java.util.function.IntFunction<SubnetSearch.Stop> stop;
        String budget;
        int planned;
        if (cfg.baselineCostRatio() > 0) {
            long macs = (long) Math.ceil(cfg.baselineCostRatio() * searched.forwardMacs());
            stop = k -> (g, forward, evals) -> forward >= (long) Math.ceil((double) macs * k / SNAPSHOTS);
            // ETA only: individuals keep about half their channels on average.
            planned = (int) Math.ceil(
                    macs / (0.5 * in.cost().denseMacs() * in.sets().baselineCalibration().length * cfg.population()));
            budget = "until " + macs + " forward MACs (" + cfg.baselineCostRatio() + "x the EMO-DIR search)";
        } else {
            long evaluations = cfg.baselineEvaluations() > 0 ? cfg.baselineEvaluations() : searched.evaluations();
            int generations = (int) Math.max(1, Math.ceil((double) evaluations / cfg.population()) - 1);
            stop = k -> SubnetSearch.Stop.afterGenerations((int) Math.ceil((double) generations * k / SNAPSHOTS));
            planned = generations;
            budget = evaluations + " evaluations";
        }
        return phases.run(
                "whole-network-baseline",
                budget,
                WholeNetwork.class,
                () -> search(in, f, recipe, stop, planned, phases, hook));
    }

    /**
     * NSGA-II over every channel bit with whole-network fitness until {@code stop.apply(SNAPSHOTS)}, in {@link
     * #SNAPSHOTS} legs (leg k stops at {@code stop.apply(k)}), each resuming the search's checkpoint; every leg's front
     * is measured on the selection images and stored as its own phase, so a resumed run keeps the earlier ones. Its
     * forward FLOPs are the stages' (counted by the problem) plus the stem and classifier of every evaluation.
     */
    private static WholeNetwork search(
            RunInputs in,
            Features f,
            FineTuneRecipe recipe,
            java.util.function.IntFunction<SubnetSearch.Stop> stop,
            int planned,
            PhaseLog phases,
            SubnetSearch.AfterGeneration hook)
            throws IOException {
        PruneConfig cfg = in.cfg();
        Subnet whole = SubnetSplit.whole(in.spec(), in.minKeep());
        int n = cfg.population();
        int images = in.sets().baselineCalibration().length;
        long fixedMacs =
                in.cost().denseMacs() - in.cost().blockMacs(0, in.spec().numBlocks());
        List<Snapshot> snapshots = new java.util.ArrayList<>();
        // Its fitness at the run's precision, like the sub-network searches', so the two searches' costs and fronts
        // compare alike; each leg's front is then measured in fp32 (TradeoffPhase.measured).
        try (NetworkMaskEvaluator ev = new NetworkMaskEvaluator(
                in.spec(), in.weights(), in.train(), in.sets().baselineCalibration(), cfg.threads(), cfg.precision())) {
            for (int k = 1; k <= SNAPSHOTS; k++) {
                SubnetSearch.Stop leg = stop.apply(k);
                SubnetSearch.Stop total =
                        (g, stageMacs, evals) -> leg.reached(g, stageMacs + fixedMacs * images * evals, evals);
                snapshots.add(phases.run(
                        "whole-network-front-" + k,
                        "leg " + k + " of " + SNAPSHOTS
                                + " of the whole-network search, its front on the selection images",
                        Snapshot.class,
                        () -> {
                            // A fresh problem per leg: its MAC counter starts at 0 and the checkpoint holds the rest.
                            MaskProblem problem = new MaskProblem(
                                            whole,
                                            ev.evaluator(),
                                            in.cost(),
                                            MaskProblem.Impairment.CROSS_ENTROPY,
                                            0,
                                            images,
                                            2 * n)
                                    .seedWithL1(in.weights());
                            Nsga2Config nc = Nsga2Config.binaryDefaults(n, cfg.seed() * 31 + 1000, whole.genes());
                            SubnetSearch.Result r = SubnetSearch.of("baseline", 0, problem, nc)
                                    .stop(total, planned)
                                    .checkpointTo(phases.store())
                                    .progress(phases.progress())
                                    .afterGeneration(hook)
                                    .run();
                            Snapshot previous = snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
                            if (previous != null && previous.generations() == r.generations()) {
                                return previous; // a leg too short for a generation: the same front
                            }
                            List<byte[]> masks = r.front().solutions().stream()
                                    .filter(s -> !s.isDense())
                                    .map(SubnetSolution::mask)
                                    .toList();
                            return new Snapshot(
                                    r.forwardMacs() + fixedMacs * images * r.evaluations(),
                                    r.evaluations(),
                                    r.generations(),
                                    TradeoffPhase.measured(in, f, masks).points(),
                                    masks);
                        }));
            }
        }
        Snapshot last = snapshots.get(SNAPSHOTS - 1);
        List<Snapshot> light = snapshots.stream()
                .map(x -> new Snapshot(x.forwardMacs(), x.evaluations(), x.generations(), x.points(), List.of()))
                .toList();
        return new WholeNetwork(
                last.forwardMacs(),
                last.evaluations(),
                last.points(),
                TradeoffPhase.hypervolume(in, last.points()),
                train(in, recipe, nearestTarget(in, last.masks()), "whole-network"),
                light);
    }

    /** The member meeting the FLOPs target with the fewest MACs removed beyond it; the most pruned if none meets it. */
    static byte[] nearestTarget(RunInputs in, List<byte[]> masks) {
        double target = in.cfg().target().fraction();
        byte[] best = null, mostPruned = null;
        double bestReduction = Double.POSITIVE_INFINITY, most = Double.NEGATIVE_INFINITY;
        for (byte[] m : masks) {
            double reduction = 1 - NetworkMasks.remainingRatio(in, m);
            if (reduction >= target && reduction < bestReduction) {
                best = m;
                bestReduction = reduction;
            }
            if (reduction > most) {
                mostPruned = m;
                most = reduction;
            }
        }
        return best != null ? best : mostPruned;
    }
}
