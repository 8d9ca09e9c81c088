package org.emodir.internal.gpir;

import org.emodir.model.NetSpec;
import org.emodir.model.io.StateDict;
import org.emodir.nativ.ResNetStagePrograms;
import org.emodir.nativ.SubnetProgram;

/**
 * The native programs the pipeline runs, built from the dense weights (BN folded). Only CIFAR ResNets
 * have native builders so far; other families fail here with a clear message.
 */
public final class NativePrograms {
    private NativePrograms() {}

    /** Stage {@code s} (0-based) alone, from its input feature {@code c x h x w}. */
    public static SubnetProgram stage(NetSpec spec, StateDict weights, int s, int[] chw) {
        requireCifarResNet(spec);
        return ResNetStagePrograms.cifarStage(weights, s + 1, spec.stage(s).blocks().size(), chw[0], chw[1], chw[2], false);
    }

    /** Stages {@code s..end} and the classifier, from stage {@code s}'s input feature. */
    public static SubnetProgram tail(NetSpec spec, StateDict weights, int s, int[] chw) {
        requireCifarResNet(spec);
        return ResNetStagePrograms.cifarTail(weights, s + 1, spec.numStages(), spec.stage(s).blocks().size(),
                chw[0], chw[1], chw[2]);
    }

    /** The whole network from normalised images of {@code h x w}. */
    public static SubnetProgram network(NetSpec spec, StateDict weights, int h, int w) {
        requireCifarResNet(spec);
        return ResNetStagePrograms.cifarNetwork(weights, spec.numStages(), spec.stage(0).blocks().size(), h, w);
    }

    private static void requireCifarResNet(NetSpec spec) {
        if (spec.family() != NetSpec.Family.CIFAR_RESNET) {
            throw new UnsupportedOperationException("native sub-network programs exist for CIFAR ResNets only, not "
                    + spec.arch() + " (" + spec.family() + ")");
        }
    }
}
