package org.emodir.pipeline;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.emodir.data.ImageDataset;
import org.emodir.features.FeatureCache;
import org.emodir.gpir.AdaptiveBnNetworkEvaluator;
import org.emodir.gpir.NetworkMaskEvaluator;
import org.emodir.model.ChannelGroup;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetSolution;
import org.emodir.train.PruningCriteria;

/** Whole-network channel masks: built from one choice per sub-network, costed, split per group, measured. */
final class NetworkMasks {
    /** Calibration images of the one adaptive-BN batch (a few hundred give stable statistics; bounds memory). */
    static final int ADAPTIVE_BN_IMAGES = 256;

    private NetworkMasks() {}

    /** The whole-network mask of one choice per sub-network (sub-networks cover the groups in order). */
    static byte[] of(RunInputs in, List<SubnetSolution> choices) {
        List<ChannelGroup> groups = in.spec().prunableGroups();
        byte[] mask =
                new byte[groups.stream().mapToInt(ChannelGroup::denseWidth).sum()];
        Arrays.fill(mask, (byte) 1);
        for (Subnet sn : in.subnets()) {
            byte[] m = choices.get(sn.index()).mask();
            System.arraycopy(m, 0, mask, offsetOf(in, sn.groups().get(0).index()), m.length);
        }
        return mask;
    }

    /** The whole-network mask keeping, per group, the given dense channel indices. */
    static byte[] fromKept(RunInputs in, List<int[]> keep) {
        List<ChannelGroup> groups = in.spec().prunableGroups();
        byte[] mask =
                new byte[groups.stream().mapToInt(ChannelGroup::denseWidth).sum()];
        for (ChannelGroup g : groups) {
            int off = offsetOf(in, g.index());
            for (int c : keep.get(g.index())) mask[off + c] = 1;
        }
        return mask;
    }

    /** One mask per prunable group, cut out of a whole-network mask. */
    static byte[][] perGroup(RunInputs in, byte[] networkMask) {
        byte[][] masks = new byte[in.spec().prunableGroups().size()][];
        for (ChannelGroup g : in.spec().prunableGroups()) {
            int off = offsetOf(in, g.index());
            masks[g.index()] = Arrays.copyOfRange(networkMask, off, off + g.denseWidth());
        }
        return masks;
    }

    static double remainingRatio(RunInputs in, byte[] networkMask) {
        return 1.0
                - (double) in.cost().removedMacs(in.spec().prunableGroups(), networkMask, 0)
                        / in.cost().denseMacs();
    }

    /** Kept dense channel indices at every cut whose channels are pruned (VGG), from the per-group masks. */
    static Map<Integer, int[]> keptAtCuts(RunInputs in, byte[][] masks) {
        Map<Integer, int[]> kept = new HashMap<>();
        for (Subnet sn : in.subnets()) {
            ChannelGroup g = in.spec().outputGroup(sn.endBlock() - 1);
            if (g == null) continue;
            byte[] m = masks[g.index()];
            kept.put(
                    sn.endBlock(),
                    IntStream.range(0, m.length).filter(c -> m[c] != 0).toArray());
        }
        return kept;
    }

    /**
     * Images whole networks are scored on: indices into {@code data} and, for adaptive BN, their dense stem output
     * ({@code stem} must hold cut 0 of exactly these images).
     */
    record ImageSet(ImageDataset data, int[] indices, FeatureCache stem) {}

    /**
     * {CE, top-1} of whole-network masks on {@code images}: natively, or with adaptive BN (libtorch, every pruned
     * network's BN statistics recalibrated on the calibration images) when GPIR uses it, so that every network of a
     * run is measured alike.
     */
    static double[][] lossAndTop1(RunInputs in, Features f, ImageSet images, List<byte[]> masks) {
        if (in.cfg().gpirAdaptiveBn()) {
            return new AdaptiveBnNetworkEvaluator(in.spec(), in.weights(), f.calib(), images.stem(), ADAPTIVE_BN_IMAGES)
                    .evaluate(masks);
        }
        try (NetworkMaskEvaluator ev = new NetworkMaskEvaluator(
                in.spec(),
                in.weights(),
                images.data(),
                images.indices(),
                in.cfg().threads())) {
            return ev.evaluate(masks);
        }
    }

    /** The whole-network mask a pruning criterion keeps at {@code flopsReduction}: one seed per criterion and run. */
    static byte[] criterion(RunInputs in, PruningCriteria.Criterion c, double flopsReduction) {
        List<int[]> keep = PruningCriteria.keep(
                c,
                in.spec(),
                in.weights(),
                in.cost(),
                flopsReduction,
                in.minKeep()::of,
                in.cfg().seed() * 131 + c.ordinal());
        return fromKept(in, keep);
    }

    private static int offsetOf(RunInputs in, int groupIndex) {
        int off = 0;
        for (int i = 0; i < groupIndex; i++)
            off += in.spec().prunableGroups().get(i).denseWidth();
        return off;
    }
}
