package org.emodir.gpir;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.emodir.features.FeatureCache;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * GPIR with adaptive BatchNorm: like {@link GpirMeasurer}, the increase of the whole network's held-out
 * cross-entropy when only one sub-network is replaced by a front solution, but the pruned sub-network's BN
 * statistics are first recalibrated on the calibration features at its input ({@link TorchNet#recalibrateBatchNorm}),
 * and the reference is the dense sub-network recalibrated on the same images (so the dense option stays 0 and the
 * shift recalibration alone causes cancels). Runs on libtorch (the native engine folds BN at load), on the
 * physically pruned network. The reported dense loss and top-1 are the plain dense network's; the top-1 drops are
 * against the recalibrated dense sub-network.
 */
public final class AdaptiveBnGpirMeasurer {
    /**
     * Bound on the recalibration batch's widest feature map: 256 CIFAR images need 16-64 MB, while 256 ImageNet images
     * at ResNet-50's layer1 would need 820 MB per map and about 5x that inside a bottleneck (80 images fit).
     */
    static final long RECALIBRATION_BYTES = 256L << 20;

    private final NetSpec spec;
    private final StateDict weights;
    private final FeatureCache calib;
    private final FeatureCache heldOut;
    private final int recalibrationImages;

    /** @param recalibrationImages at most this many calibration images form the one recalibration batch */
    public AdaptiveBnGpirMeasurer(
            NetSpec spec, StateDict weights, FeatureCache calib, FeatureCache heldOut, int recalibrationImages) {
        if (recalibrationImages < 2) throw new IllegalArgumentException("BN recalibration needs at least 2 images");
        this.spec = spec;
        this.weights = weights;
        this.calib = calib;
        this.heldOut = heldOut;
        this.recalibrationImages = recalibrationImages;
    }

    public GpirMeasurer.Measured measure(Subnet subnet, SubnetFront front) {
        int from = subnet.firstBlock(), to = subnet.endBlock();
        int[] chw = calib.shape(from);
        int n = Math.min(calib.imagesWithin(RECALIBRATION_BYTES), recalibrationImages);
        List<SubnetSolution> sols = front.solutions();
        List<SubnetSolution> measured = new ArrayList<>();
        double[] drop = new double[sols.size()];
        try (PointerScope scope = new PointerScope();
                NoGradGuard g = new NoGradGuard();
                TorchNet dense = TorchNet.fromStateDict(spec, weights)) {
            Tensor recalibration = Tensors.fromBuffer(calib.images(from, 0, n), n, chw[0], chw[1], chw[2]);
            double[] plain = evaluate(dense, from);
            // Recalibration itself moves the loss (the pretrained statistics came from other images and augmentation),
            // so impairments are taken against the dense sub-network recalibrated the same way.
            dense.recalibrateBatchNorm(from, to, recalibration);
            double[] base = evaluate(dense, from);
            for (int i = 0; i < sols.size(); i++) {
                SubnetSolution sol = sols.get(i);
                if (sol.isDense()) {
                    measured.add(sol.withGlobalImpairment(0.0));
                    continue;
                }
                // One scope per solution: its network is freed before the next is built.
                try (PointerScope inner = new PointerScope();
                        TorchNet net = PrunedModel.fromMasks(
                                        spec, weights, spec.prunableGroups(), masks(subnet, sol.mask()))
                                .toTorchNet()) {
                    net.recalibrateBatchNorm(from, to, recalibration);
                    double[] r = evaluate(net, from);
                    measured.add(sol.withGlobalImpairment(r[0] - base[0]));
                    drop[i] = base[1] - r[1];
                }
            }
            return new GpirMeasurer.Measured(
                    new SubnetFront(front.subnet(), front.name(), front.denseMacs(), front.denseParams(), measured),
                    plain[0],
                    plain[1],
                    drop);
        }
    }

    /** Per-group keep masks of the whole network: every channel kept except where {@code subnet}'s mask drops it. */
    private byte[][] masks(Subnet subnet, byte[] mask) {
        byte[][] m = new byte[spec.prunableGroups().size()][];
        for (var grp : spec.prunableGroups()) {
            m[grp.index()] = new byte[grp.denseWidth()];
            java.util.Arrays.fill(m[grp.index()], (byte) 1);
        }
        for (int k = 0; k < subnet.groups().size(); k++) {
            int start = subnet.layout().start(k);
            System.arraycopy(
                    mask,
                    start,
                    m[subnet.groups().get(k).index()],
                    0,
                    subnet.layout().size(k));
        }
        return m;
    }

    private double[] evaluate(TorchNet net, int from) {
        return TorchHeldOut.lossAndTop1(net, heldOut, from);
    }
}
