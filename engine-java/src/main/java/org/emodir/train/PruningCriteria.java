package org.emodir.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.CostModel;
import org.emodir.model.NetSpec;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;

/**
 * The simple criteria EMO-DIR is compared with at the same FLOPs: each picks, for the dense network, the channels
 * every prunable group keeps (dense channel indices, ascending).
 */
public final class PruningCriteria {
    public enum Criterion {
        /** One keep ratio for every group, largest-L1 filters ({@link UniformBaseline}). */
        UNIFORM_L1,
        /**
         * Network slimming's criterion: the channels with the smallest |BatchNorm scale| anywhere in the network go
         * first, until the FLOPs target is met (each group keeps at least its minimum).
         */
        GLOBAL_BN_SCALE,
        /** The uniform baseline's widths, random channels. */
        RANDOM
    }

    private PruningCriteria() {}

    /**
     * @param flopsReduction fraction of the dense MACs to remove (at least)
     * @param minKeep        fewest channels a group of the given width keeps (GLOBAL_BN_SCALE; the others keep >= 1)
     */
    public static List<int[]> keep(
            Criterion c,
            NetSpec dense,
            StateDict weights,
            CostModel cost,
            double flopsReduction,
            IntUnaryOperator minKeep,
            long seed) {
        return switch (c) {
            case UNIFORM_L1 -> UniformBaseline.keptAtFlops(dense, weights, flopsReduction);
            case GLOBAL_BN_SCALE -> globalBnScale(dense, weights, cost, flopsReduction, minKeep);
            case RANDOM ->
                random(UniformBaseline.widthsAt(dense, UniformBaseline.keepRatio(dense, flopsReduction)), dense, seed);
        };
    }

    private static List<int[]> globalBnScale(
            NetSpec dense, StateDict weights, CostModel cost, double flopsReduction, IntUnaryOperator minKeep) {
        List<ChannelGroup> groups = dense.prunableGroups();
        List<double[]> channels = new ArrayList<>(); // {|gamma|, group, channel}
        for (ChannelGroup g : groups) {
            float[] gamma = scale(dense, weights, g);
            for (int i = 0; i < g.denseWidth(); i++) channels.add(new double[] {Math.abs(gamma[i]), g.index(), i});
        }
        channels.sort(Comparator.<double[]>comparingDouble(x -> x[0])
                .thenComparingDouble(x -> x[1])
                .thenComparingDouble(x -> x[2]));
        int[] kept = groups.stream().mapToInt(ChannelGroup::denseWidth).toArray();
        boolean[][] removed = new boolean[groups.size()][];
        for (ChannelGroup g : groups) removed[g.index()] = new boolean[g.denseWidth()];
        long target = (long) Math.ceil(flopsReduction * cost.denseMacs());
        for (double[] ch : channels) {
            if (cost.removedMacs(groups, kept) >= target) break;
            int g = (int) ch[1];
            if (kept[g] <= minKeep.applyAsInt(groups.get(g).denseWidth())) continue;
            kept[g]--;
            removed[g][(int) ch[2]] = true;
        }
        if (cost.removedMacs(groups, kept) < target) {
            throw new IllegalArgumentException(dense + ": global BN-scale pruning cannot remove " + flopsReduction
                    + " of the MACs with every group at its minimum");
        }
        List<int[]> keep = new ArrayList<>();
        for (ChannelGroup g : groups) {
            boolean[] r = removed[g.index()];
            keep.add(java.util.stream.IntStream.range(0, r.length)
                    .filter(i -> !r[i])
                    .toArray());
        }
        return keep;
    }

    /** The group's BatchNorm scale, or its filters' L1 norms for a conv without BatchNorm. */
    private static float[] scale(NetSpec dense, StateDict weights, ChannelGroup g) {
        String bn = dense.producer(g).bn();
        NamedTensor gamma = bn == null ? null : weights.get(bn + ".weight");
        if (gamma != null) return gamma.data();
        float[] l1 = new float[g.denseWidth()];
        NamedTensor w = weights.get(g.name() + ".weight");
        int per = w.data().length / g.denseWidth();
        for (int o = 0; o < g.denseWidth(); o++) {
            for (int i = 0; i < per; i++) l1[o] += Math.abs(w.data()[o * per + i]);
        }
        return l1;
    }

    private static List<int[]> random(ChannelConfig widths, NetSpec dense, long seed) {
        Random rng = new Random(seed);
        List<int[]> keep = new ArrayList<>();
        for (ChannelGroup g : dense.prunableGroups()) {
            int[] order = java.util.stream.IntStream.range(0, g.denseWidth()).toArray();
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int[] k = Arrays.copyOf(order, widths.width(g.index()));
            Arrays.sort(k);
            keep.add(k);
        }
        return keep;
    }
}
