package org.emodir.program;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;

/**
 * Programs for any {@link NetSpec} family (CIFAR ResNet, CIFAR VGG, ImageNet ResNet-50) built from the spec and a
 * {@link StateDict}. The spec is the one source of truth for layer names, shapes, strides, poolings and which
 * channels are prunable, so the native programs cannot drift from {@link org.emodir.model.TorchNet}; every weight
 * is checked against the spec's shape ({@link StateDict#require}) and each BatchNorm is folded into its conv
 * ({@link BatchNormFolding}).
 *
 * <p>Genes: the prunable groups ({@link NetSpec#prunableGroups()}, forward order) whose block lies in the range,
 * in that order; a group's genes are its producing conv's output channels and the group is named after that conv.
 * A range may end in a prunable conv (every VGG block does): the program output is then channel-pruned, which the
 * engine reports as the dense-width tensor with the dropped channels zero (what physical pruning followed by
 * zero-filling gives).
 *
 * <p>Block semantics follow {@code TorchNet}: basic blocks {@code relu(conv2(relu(conv1 x)) + shortcut(x))} with the
 * option-A shortcut when the shape changes; bottlenecks {@code relu(conv3(relu(conv2(relu(conv1 x)))) +
 * downsample(x))} with conv1 and conv2 prunable and conv3 dense; VGG blocks {@code relu(conv x)}; a stage's pool runs
 * after its last block. For CIFAR ResNets the programs equal {@link ResNetStagePrograms}'.
 */
public final class NetSpecPrograms {
    private NetSpecPrograms() {}

    /**
     * Global blocks {@code [fromBlock, toBlock)} from that range's input feature {@code inChw} (C, H, W), including
     * the pools of the stages whose last block is in the range; with {@code withHead} the program ends with the
     * classifier (global average pooling + linear), so {@code toBlock} is then normally {@link NetSpec#numBlocks()}.
     */
    public static SubnetProgram blocks(
            NetSpec spec, StateDict weights, int fromBlock, int toBlock, int[] inChw, boolean withHead) {
        return blocks(
                spec,
                weights,
                fromBlock,
                toBlock,
                inChw,
                withHead,
                (b, x) -> withHead ? appendHead(b, spec, weights, x) : x);
    }

    /**
     * Global blocks {@code [fromBlock, toBlock)} ending with a given global-average-pooling + linear head
     * {@code weight[classes][channels]} instead of the network's classifier: a sub-network scored by a head of its own
     * (a feature selector trained on its dense output).
     */
    public static SubnetProgram blocksWithHead(
            NetSpec spec,
            StateDict weights,
            int fromBlock,
            int toBlock,
            int[] inChw,
            String headName,
            float[] weight,
            float[] bias,
            int classes) {
        return blocks(
                spec, weights, fromBlock, toBlock, inChw, false, (b, x) -> b.head(headName, x, weight, bias, classes));
    }

    private static SubnetProgram blocks(
            NetSpec spec,
            StateDict weights,
            int fromBlock,
            int toBlock,
            int[] inChw,
            boolean withHead,
            java.util.function.BiFunction<SubnetProgramBuilder, SubnetProgramBuilder.Value, SubnetProgramBuilder.Value>
                    finish) {
        if (fromBlock < 0 || toBlock > spec.numBlocks() || fromBlock > toBlock || (fromBlock == toBlock && !withHead)) {
            throw new IllegalArgumentException("block range [" + fromBlock + ", " + toBlock + ") of " + spec + " with "
                    + spec.numBlocks() + " blocks" + (fromBlock == toBlock ? " is empty" : ""));
        }
        if (inChw == null || inChw.length != 3) {
            throw new IllegalArgumentException("inChw must be {C, H, W}, got " + java.util.Arrays.toString(inChw));
        }
        int expectedC = fromBlock < spec.numBlocks()
                ? spec.block(fromBlock).convs().get(0).in()
                : spec.head().in();
        if (inChw[0] != expectedC) {
            throw new IllegalArgumentException(
                    spec.arch() + " block " + fromBlock + " expects " + expectedC + " input channels, got " + inChw[0]);
        }
        SubnetProgramBuilder b = new SubnetProgramBuilder(inChw[0], inChw[1], inChw[2]);
        Set<String> prunable = prunableConvs(spec, fromBlock, toBlock);
        SubnetProgramBuilder.Value x = appendBlocks(b, spec, weights, fromBlock, toBlock, prunable, b.input());
        return checkedGenes(spec, b.build(finish.apply(b, x)), fromBlock, toBlock);
    }

    /** The whole network from normalised {@code 3 x h x w} images: stem, every block (and stage pool), head. */
    public static SubnetProgram network(NetSpec spec, StateDict weights, int h, int w) {
        SubnetProgramBuilder b = new SubnetProgramBuilder(spec.inChannels(), h, w);
        SubnetProgramBuilder.Value x = b.input();
        Set<String> none = Set.of();
        for (ConvInfo c : stemConvs(spec)) x = b.relu(conv(b, weights, c, x, none));
        var pool = spec.stem().pool();
        if (pool != null) x = b.maxPool("stem.pool", x, pool.kernel(), pool.stride(), pool.pad());
        Set<String> prunable = prunableConvs(spec, 0, spec.numBlocks());
        x = appendBlocks(b, spec, weights, 0, spec.numBlocks(), prunable, x);
        return checkedGenes(spec, b.build(appendHead(b, spec, weights, x)), 0, spec.numBlocks());
    }

    private static Set<String> prunableConvs(NetSpec spec, int from, int to) {
        Set<String> names = new HashSet<>();
        for (ChannelGroup g : spec.prunableGroups()) {
            if (g.block() >= from && g.block() < to) names.add(g.name());
        }
        return names;
    }

    /** The gene layout must be exactly the spec's groups of the range, in order (the evolutionary search relies on it). */
    private static SubnetProgram checkedGenes(NetSpec spec, SubnetProgram program, int from, int to) {
        List<String> expected = new ArrayList<>();
        for (ChannelGroup g : spec.prunableGroups()) {
            if (g.block() >= from && g.block() < to) expected.add(g.name());
        }
        if (!expected.equals(program.groupNames())) {
            throw new IllegalStateException(spec + " blocks [" + from + ", " + to + "): program groups "
                    + program.groupNames() + " differ from the spec's " + expected);
        }
        return program;
    }

    private static SubnetProgramBuilder.Value appendBlocks(
            SubnetProgramBuilder b,
            NetSpec spec,
            StateDict weights,
            int from,
            int to,
            Set<String> prunable,
            SubnetProgramBuilder.Value x) {
        for (int blk = from; blk < to; blk++) {
            List<ConvInfo> convs = blockConvs(spec, blk);
            switch (spec.family()) {
                case CIFAR_VGG -> x = b.relu(conv(b, weights, convs.get(0), x, prunable));
                case CIFAR_RESNET -> {
                    SubnetProgramBuilder.Value h = b.relu(conv(b, weights, convs.get(0), x, prunable));
                    SubnetProgramBuilder.Value y = conv(b, weights, convs.get(1), h, prunable);
                    x = b.relu(b.add(y, x)); // identity or option A, from the shapes
                }
                case IMAGENET_RESNET -> {
                    SubnetProgramBuilder.Value h = b.relu(conv(b, weights, convs.get(0), x, prunable));
                    h = b.relu(conv(b, weights, convs.get(1), h, prunable));
                    SubnetProgramBuilder.Value y = conv(b, weights, convs.get(2), h, prunable);
                    SubnetProgramBuilder.Value shortcut =
                            convs.size() > 3 ? conv(b, weights, convs.get(3), x, prunable) : x;
                    x = b.relu(b.add(y, shortcut));
                }
            }
            if (spec.endsStage(blk)) {
                var stage = spec.stage(spec.stageOfBlock(blk));
                var pool = stage.pool();
                if (pool != null) x = b.maxPool(stage.name() + ".pool", x, pool.kernel(), pool.stride(), pool.pad());
            }
        }
        return x;
    }

    /** The spec's conv (its layer types are package-private to org.emodir.model, so their fields are copied). */
    private record ConvInfo(String name, String bn, int in, int out, int kernel, int stride, int pad, boolean bias) {}

    private static List<ConvInfo> blockConvs(NetSpec spec, int blk) {
        List<ConvInfo> out = new ArrayList<>();
        var convs = spec.block(blk).convs();
        for (int i = 0; i < convs.size(); i++) {
            var c = convs.get(i);
            out.add(new ConvInfo(c.name(), c.bn(), c.in(), c.out(), c.kernel(), c.stride(), c.pad(), c.bias()));
        }
        return out;
    }

    private static List<ConvInfo> stemConvs(NetSpec spec) {
        List<ConvInfo> out = new ArrayList<>();
        var convs = spec.stem().convs();
        for (int i = 0; i < convs.size(); i++) {
            var c = convs.get(i);
            out.add(new ConvInfo(c.name(), c.bn(), c.in(), c.out(), c.kernel(), c.stride(), c.pad(), c.bias()));
        }
        return out;
    }

    /** Conv + folded BN; prunable (own mask group named after the conv) iff the spec says its output is a group. */
    private static SubnetProgramBuilder.Value conv(
            SubnetProgramBuilder b, StateDict sd, ConvInfo c, SubnetProgramBuilder.Value x, Set<String> prunable) {
        if (x.channels() != c.in()) {
            throw new IllegalArgumentException(
                    "conv '" + c.name() + "' expects " + c.in() + " input channels but its input has " + x.channels());
        }
        NamedTensor w = sd.require(c.name() + ".weight", c.out(), c.in(), c.kernel(), c.kernel());
        float[] bias = c.bias() ? sd.require(c.name() + ".bias", c.out()).data() : null;
        BatchNormFolding.Folded f = BatchNormFolding.fold(
                c.name(),
                w.data(),
                bias,
                sd.require(c.bn() + ".weight", c.out()).data(),
                sd.require(c.bn() + ".bias", c.out()).data(),
                sd.require(c.bn() + ".running_mean", c.out()).data(),
                sd.require(c.bn() + ".running_var", c.out()).data(),
                BatchNormFolding.DEFAULT_EPS);
        return b.conv(
                c.name(),
                x,
                f.weight(),
                f.bias(),
                c.out(),
                c.kernel(),
                c.stride(),
                c.pad(),
                prunable.contains(c.name()));
    }

    private static SubnetProgramBuilder.Value appendHead(
            SubnetProgramBuilder b, NetSpec spec, StateDict sd, SubnetProgramBuilder.Value x) {
        var head = spec.head();
        if (x.channels() != head.in()) {
            throw new IllegalArgumentException(
                    "head '" + head.name() + "' expects " + head.in() + " features but its input has " + x.channels());
        }
        NamedTensor w = sd.require(head.name() + ".weight", head.out(), head.in());
        return b.head(
                head.name(),
                x,
                w.data(),
                sd.require(head.name() + ".bias", head.out()).data(),
                head.out());
    }
}
