package org.emodir.gpir;

import org.emodir.model.NetSpec;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import org.emodir.program.SubnetProgram;

/**
 * The native programs the pipeline runs, built from the NetSpec and the dense weights (BN folded) for every family
 * (CIFAR ResNets, VGG-16, ResNet-50). Blocks are numbered over the whole network ({@link NetSpec#numBlocks()}).
 */
public final class NativePrograms {
    private NativePrograms() {}

    /** Global blocks {@code [from, to)} alone (a sub-network), from the input feature {@code c x h x w} of block {@code from}. */
    public static SubnetProgram blocks(NetSpec spec, StateDict weights, int from, int to, int[] chw) {
        return NetSpecPrograms.blocks(spec, weights, from, to, chw, false);
    }

    /** Global blocks {@code from..} and the classifier, from block {@code from}'s input feature. */
    public static SubnetProgram tail(NetSpec spec, StateDict weights, int from, int[] chw) {
        return NetSpecPrograms.blocks(spec, weights, from, spec.numBlocks(), chw, true);
    }

    /** The whole network from normalised images of {@code h x w}. */
    public static SubnetProgram network(NetSpec spec, StateDict weights, int h, int w) {
        return NetSpecPrograms.network(spec, weights, h, w);
    }
}
