package org.emodir.search;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.emodir.evo.Nsga2;
import org.emodir.evo.Nsga2Config;
import org.emodir.evo.Population;
import org.emodir.run.CheckpointStore;
import org.emodir.run.ProgressListener;

/**
 * Runs NSGA-II on one {@link MaskProblem} for a number of generations, checkpointing the whole state
 * after every generation (so a killed run resumes at the last finished generation with identical
 * results), and turns the final rank-0 set into a {@link SubnetFront}.
 */
public final class SubnetSearch {
    /** Test hook called after each generation's checkpoint (e.g. to simulate a kill). */
    public interface AfterGeneration {
        void after(String search, int generation);
    }

    public record Result(SubnetFront front, long forwardMacs, long evaluations, int generations) {}

    /** When a search stops, checked after every generation: on generations, or on forward FLOPs spent. */
    @FunctionalInterface
    public interface Stop {
        boolean reached(int generation, long forwardMacs, long evaluations);

        static Stop afterGenerations(int generations) {
            return (g, macs, evals) -> g >= generations;
        }
    }

    private SubnetSearch() {}

    /**
     * @param store    where the state lives ({@code <name>.nsga2} beside the store's checkpoints); null: no checkpoints
     * @param frontCap most solutions kept, spread evenly along the FLOPs axis
     */
    public static Result run(
            String name,
            int subnetIndex,
            MaskProblem problem,
            Nsga2Config config,
            int generations,
            int frontCap,
            CheckpointStore store,
            ProgressListener progress,
            AfterGeneration hook)
            throws IOException {
        return run(
                name,
                subnetIndex,
                problem,
                config,
                Stop.afterGenerations(generations),
                generations,
                frontCap,
                store,
                progress,
                hook);
    }

    /**
     * @param stop               checked before every generation, so a resumed run stops where an uninterrupted one would
     * @param plannedGenerations for progress and ETA only
     */
    public static Result run(
            String name,
            int subnetIndex,
            MaskProblem problem,
            Nsga2Config config,
            Stop stop,
            int plannedGenerations,
            int frontCap,
            CheckpointStore store,
            ProgressListener progress,
            AfterGeneration hook)
            throws IOException {
        Path state = store == null ? null : store.file(name).resolveSibling(name + ".nsga2");
        String metaName = name + "-meta";
        Nsga2 nsga;
        long priorMacs = 0;
        if (state != null && Files.exists(state)) {
            nsga = Nsga2.resume(state, problem);
            priorMacs = store.load(metaName)
                    .map(c -> ByteBuffer.wrap(c.data()).getLong())
                    .orElse(0L);
            progress.message(name + ": resumed at generation " + nsga.generation());
        } else {
            nsga = new Nsga2(problem, config);
        }
        final long base = priorMacs;
        long start = System.nanoTime();
        int startGen = nsga.generation();
        while (!stop.reached(nsga.generation(), base + problem.forwardMacs(), nsga.evaluations())) {
            nsga.step();
            int g = nsga.generation();
            if (state != null) {
                nsga.saveState(state);
                store.save(
                        metaName,
                        ByteBuffer.allocate(Long.BYTES)
                                .putLong(base + problem.forwardMacs())
                                .array());
            }
            double perGen = (System.nanoTime() - start) / 1e9 / (g - startGen);
            int planned = Math.max(plannedGenerations, g);
            progress.generation(name, g, planned, nsga.firstFrontSize(), bestAtHalf(nsga), perGen * (planned - g));
            if (hook != null) hook.after(name, g);
        }
        SubnetFront front = front(subnetIndex, problem, nsga, frontCap);
        return new Result(front, base + problem.forwardMacs(), nsga.evaluations(), nsga.generation());
    }

    private static double bestAtHalf(Nsga2 nsga) {
        double best = Double.NaN;
        for (double[] o : nsga.firstFrontObjectives()) {
            if (o[0] <= 0.5 && !(o[1] >= best)) best = o[1];
        }
        return best;
    }

    /** Distinct rank-0 masks sorted by FLOPs ratio, at most {@code cap} of them evenly spaced along that order. */
    static SubnetFront front(int subnetIndex, MaskProblem problem, Nsga2 nsga, int cap) {
        Population pop = nsga.population();
        Map<String, SubnetSolution> unique = new LinkedHashMap<>();
        for (int i = 0; i < nsga.populationSize(); i++) {
            if (nsga.rank(i) != 0) continue;
            byte[] mask = new byte[pop.genes()];
            for (int g = 0; g < mask.length; g++) mask[g] = (byte) pop.bit(i, g);
            double flops = nsga.objectives().objective(i, 0);
            double impairment = nsga.objectives().objective(i, 1);
            if (!Double.isFinite(impairment)) continue;
            unique.putIfAbsent(
                    java.util.Arrays.toString(mask),
                    new SubnetSolution(
                            subnetIndex,
                            0,
                            mask,
                            flops,
                            problem.remainingMacs(mask),
                            problem.remainingParams(mask),
                            impairment,
                            Double.NaN));
        }
        List<SubnetSolution> sorted = new ArrayList<>(unique.values());
        sorted.sort(Comparator.comparingDouble(SubnetSolution::flopsRatio)
                .thenComparingDouble(SubnetSolution::localImpairment));
        List<SubnetSolution> kept = new ArrayList<>();
        int n = sorted.size();
        int take = Math.min(cap, n);
        int last = -1;
        for (int k = 0; k < take; k++) {
            int idx = take == 1 ? 0 : (int) Math.round((double) k * (n - 1) / (take - 1));
            if (idx == last) continue;
            last = idx;
            SubnetSolution s = sorted.get(idx);
            kept.add(new SubnetSolution(
                    s.subnet(),
                    kept.size(),
                    s.mask(),
                    s.flopsRatio(),
                    s.macs(),
                    s.params(),
                    s.localImpairment(),
                    Double.NaN));
        }
        return new SubnetFront(
                subnetIndex, problem.subnet().name(), problem.denseMacs(), problem.subnetParamsDense(), kept);
    }
}
