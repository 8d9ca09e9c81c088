package org.emodir.search;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final String name;
    private final int subnetIndex;
    private final MaskProblem problem;
    private final Nsga2Config config;
    private Stop stop;
    private int plannedGenerations;
    private int frontCap = Integer.MAX_VALUE;
    private CheckpointStore store;
    private ProgressListener progress = ProgressListener.SILENT;
    private AfterGeneration hook = (search, generation) -> {};

    private SubnetSearch(String name, int subnetIndex, MaskProblem problem, Nsga2Config config) {
        this.name = name;
        this.subnetIndex = subnetIndex;
        this.problem = problem;
        this.config = config;
    }

    /** A search named {@code name} (progress and checkpoint names) of sub-network {@code subnetIndex}. */
    public static SubnetSearch of(String name, int subnetIndex, MaskProblem problem, Nsga2Config config) {
        return new SubnetSearch(name, subnetIndex, problem, config).generations(1);
    }

    public SubnetSearch generations(int generations) {
        return stop(Stop.afterGenerations(generations), generations);
    }

    /**
     * @param stop               checked before every generation, so a resumed run stops where an uninterrupted one would
     * @param plannedGenerations for progress and ETA only
     */
    public SubnetSearch stop(Stop stop, int plannedGenerations) {
        this.stop = stop;
        this.plannedGenerations = plannedGenerations;
        return this;
    }

    /** Most solutions kept in the front, spread evenly along the FLOPs axis. */
    public SubnetSearch frontCap(int cap) {
        this.frontCap = cap;
        return this;
    }

    /** Checkpoint every generation into {@code store} (one checkpoint, {@code <name>-state}), and resume from it. */
    public SubnetSearch checkpointTo(CheckpointStore store) {
        this.store = store;
        return this;
    }

    public SubnetSearch progress(ProgressListener progress) {
        this.progress = progress;
        return this;
    }

    public SubnetSearch afterGeneration(AfterGeneration hook) {
        if (hook != null) this.hook = hook;
        return this;
    }

    public Result run() throws IOException {
        Resumed from = resume();
        Nsga2 nsga = from.nsga();
        long start = System.nanoTime();
        int startGen = nsga.generation();
        while (!stop.reached(nsga.generation(), from.macs() + problem.forwardMacs(), nsga.evaluations())) {
            nsga.step();
            int g = nsga.generation();
            checkpoint(nsga, from.macs() + problem.forwardMacs());
            double perGen = (System.nanoTime() - start) / 1e9 / (g - startGen);
            int planned = Math.max(plannedGenerations, g);
            progress.generation(name, g, planned, nsga.firstFrontSize(), bestAtHalf(nsga), perGen * (planned - g));
            hook.after(name, g);
        }
        return new Result(
                front(subnetIndex, problem, nsga, frontCap),
                from.macs() + problem.forwardMacs(),
                nsga.evaluations(),
                nsga.generation());
    }

    private record Resumed(Nsga2 nsga, long macs) {}

    private String stateName() {
        return name + "-state";
    }

    private Resumed resume() throws IOException {
        Optional<CheckpointStore.Checkpoint> saved = store == null ? Optional.empty() : store.load(stateName());
        if (saved.isEmpty()) return new Resumed(new Nsga2(problem, config), 0);
        ByteBuffer b = ByteBuffer.wrap(saved.get().data());
        long macs = b.getLong();
        byte[] state = new byte[b.remaining()];
        b.get(state);
        Nsga2 nsga = Nsga2.resume(state, saved.get().source(), problem);
        progress.message(name + ": resumed at generation " + nsga.generation());
        return new Resumed(nsga, macs);
    }

    /** One checkpoint holds the NSGA-II state and the forward MACs spent, so a kill never leaves them apart. */
    private void checkpoint(Nsga2 nsga, long macs) throws IOException {
        if (store == null) return;
        byte[] state = nsga.stateBytes();
        store.save(
                stateName(),
                ByteBuffer.allocate(Long.BYTES + state.length)
                        .putLong(macs)
                        .put(state)
                        .array());
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
