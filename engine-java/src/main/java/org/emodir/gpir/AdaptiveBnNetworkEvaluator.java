package org.emodir.gpir;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.emodir.features.FeatureCache;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;

/**
 * Whole-network masks measured like {@link NetworkMaskEvaluator} (held-out cross-entropy and top-1), but each pruned
 * network's BatchNorm statistics are first recalibrated on the calibration images (adaptive BN, every block; the
 * stem is never pruned), on libtorch. The trade-off measurement that goes with {@link AdaptiveBnGpirMeasurer}.
 */
public final class AdaptiveBnNetworkEvaluator {
    private final NetSpec spec;
    private final StateDict weights;
    private final FeatureCache calib;
    private final FeatureCache heldOut;
    private final int recalibrationImages;

    /** Both caches must hold cut 0 (the stem output). */
    public AdaptiveBnNetworkEvaluator(
            NetSpec spec, StateDict weights, FeatureCache calib, FeatureCache heldOut, int recalibrationImages) {
        this.spec = spec;
        this.weights = weights;
        this.calib = calib;
        this.heldOut = heldOut;
        this.recalibrationImages = recalibrationImages;
    }

    /** {cross-entropy, top-1 fraction} of each whole-network mask ({@link NetSpec#prunableGroups()} order, one byte per channel). */
    public double[][] evaluate(List<byte[]> masks) {
        int genes = spec.prunableGroups().stream()
                .mapToInt(ChannelGroup::denseWidth)
                .sum();
        double[][] out = new double[masks.size()][];
        int[] chw = calib.shape(0);
        try (PointerScope scope = new PointerScope()) {
            int n = Math.min(calib.imagesWithin(AdaptiveBnGpirMeasurer.RECALIBRATION_BYTES), recalibrationImages);
            Tensor recalibration = Tensors.fromBuffer(calib.images(0, 0, n), n, chw[0], chw[1], chw[2]);
            for (int i = 0; i < masks.size(); i++) {
                byte[] mask = masks.get(i);
                if (mask.length != genes) {
                    throw new IllegalArgumentException(
                            "mask " + i + " has " + mask.length + " genes, the network has " + genes);
                }
                byte[][] perGroup = new byte[spec.prunableGroups().size()][];
                int off = 0;
                for (ChannelGroup g : spec.prunableGroups()) {
                    perGroup[g.index()] = java.util.Arrays.copyOfRange(mask, off, off + g.denseWidth());
                    off += g.denseWidth();
                }
                // One scope per network: its weights and activations are freed before the next is built.
                try (PointerScope inner = new PointerScope();
                        TorchNet net = PrunedModel.fromMasks(spec, weights, spec.prunableGroups(), perGroup)
                                .toTorchNet()) {
                    net.recalibrateBatchNorm(0, spec.numBlocks(), recalibration);
                    out[i] = TorchHeldOut.lossAndTop1(net, heldOut, 0);
                }
            }
        }
        return out;
    }
}
