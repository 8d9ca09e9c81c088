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

    /** Global blocks {@code [from, to)} alone (a sub-network), from the input feature {@code c x h x w} of block {@code from}. */
    public static SubnetProgram blocks(NetSpec spec, StateDict weights, int from, int to, int[] chw) {
        requireCifarResNet(spec);
        return ResNetStagePrograms.cifarBlocks(weights, spec.stage(0).blocks().size(), from, to, chw[0], chw[1], chw[2], false);
    }

    /** Global blocks {@code from..} and the classifier, from block {@code from}'s input feature. */
    public static SubnetProgram tail(NetSpec spec, StateDict weights, int from, int[] chw) {
        requireCifarResNet(spec);
        return ResNetStagePrograms.cifarBlocks(weights, spec.stage(0).blocks().size(), from, spec.numBlocks(),
                chw[0], chw[1], chw[2], true);
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
