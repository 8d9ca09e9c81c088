package org.emodir.program;

import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;

/**
 * Programs for CIFAR ResNets (He et al. 2016 layout, akamaster naming: {@code layer{s}.{b}.conv1.weight},
 * {@code layer{s}.{b}.bn1.running_mean}, ..., {@code linear.weight}) built from a {@link StateDict}, with
 * BatchNorm folded at load. The mask group of each basic block is its inner channel (conv1's output).
 * Shortcuts: option A (no parameters), or a 1x1 conv + BN when {@code shortcut.0}/{@code downsample.0}
 * tensors are present.
 */
public final class ResNetStagePrograms {
    private ResNetStagePrograms() {}

    /**
     * One stage (1-based {@code stage}) of {@code blocks} basic blocks on input feature maps
     * {@code inC x inH x inW}; the first block of stages 2+ downsamples by 2. With {@code withHead} the
     * program ends with GAP + {@code linear} (only meaningful for the last stage).
     */
    public static SubnetProgram cifarStage(
            StateDict weights, int stage, int blocks, int inC, int inH, int inW, boolean withHead) {
        SubnetProgramBuilder b = new SubnetProgramBuilder(inC, inH, inW);
        SubnetProgramBuilder.Value x = appendStage(b, weights, stage, blocks, b.input());
        return b.build(withHead ? appendHead(b, weights, x) : x);
    }

    /**
     * Stages {@code fromStage..numStages} (1-based) and the GAP + linear head, from the input of
     * {@code fromStage}: the rest of the network after one sub-network, used to measure how a pruned
     * stage impairs the whole network. Genes: the inner channels of every block of those stages, in order.
     */
    public static SubnetProgram cifarTail(
            StateDict weights, int fromStage, int numStages, int blocks, int inC, int inH, int inW) {
        SubnetProgramBuilder b = new SubnetProgramBuilder(inC, inH, inW);
        SubnetProgramBuilder.Value x = b.input();
        for (int s = fromStage; s <= numStages; s++) x = appendStage(b, weights, s, blocks, x);
        return b.build(appendHead(b, weights, x));
    }

    /** The whole network from images: stem (conv1 + bn1 + ReLU), every stage, head. Genes: every block's inner channels. */
    public static SubnetProgram cifarNetwork(StateDict weights, int numStages, int blocks, int inH, int inW) {
        SubnetProgramBuilder b = new SubnetProgramBuilder(3, inH, inW);
        int stemC = weights.require("conv1.weight").dim(0);
        SubnetProgramBuilder.Value x = b.relu(convBn(b, weights, "conv1", "bn1", b.input(), stemC, 3, 1, 1, false));
        for (int s = 1; s <= numStages; s++) x = appendStage(b, weights, s, blocks, x);
        return b.build(appendHead(b, weights, x));
    }

    private static SubnetProgramBuilder.Value appendStage(
            SubnetProgramBuilder b, StateDict weights, int stage, int blocks, SubnetProgramBuilder.Value x) {
        for (int blk = 0; blk < blocks; ++blk) x = appendBlock(b, weights, stage, blk, x);
        return x;
    }

    private static SubnetProgramBuilder.Value appendBlock(
            SubnetProgramBuilder b, StateDict weights, int stage, int blk, SubnetProgramBuilder.Value x) {
        String p = "layer" + stage + "." + blk + ".";
        NamedTensor w1 = weights.require(p + "conv1.weight");
        int inner = w1.dim(0);
        int planes = weights.require(p + "conv2.weight").dim(0);
        int stride = (blk == 0 && stage > 1) ? 2 : 1;
        SubnetProgramBuilder.Value h = b.relu(convBn(b, weights, p + "conv1", p + "bn1", x, inner, 3, stride, 1, true));
        SubnetProgramBuilder.Value y = convBn(b, weights, p + "conv2", p + "bn2", h, planes, 3, 1, 1, false);
        SubnetProgramBuilder.Value shortcut = x;
        for (String sc : new String[] {"shortcut", "downsample"}) {
            if (weights.contains(p + sc + ".0.weight")) {
                shortcut = convBn(b, weights, p + sc + ".0", p + sc + ".1", x, planes, 1, stride, 0, false);
            }
        }
        return b.relu(b.add(y, shortcut));
    }

    private static SubnetProgramBuilder.Value appendHead(
            SubnetProgramBuilder b, StateDict weights, SubnetProgramBuilder.Value x) {
        NamedTensor fc = weights.require("linear.weight");
        int classes = fc.dim(0);
        fc = weights.require("linear.weight", classes, x.channels());
        return b.head(
                "linear", x, fc.data(), weights.require("linear.bias", classes).data(), classes);
    }

    private static SubnetProgramBuilder.Value convBn(
            SubnetProgramBuilder b,
            StateDict sd,
            String conv,
            String bn,
            SubnetProgramBuilder.Value x,
            int outC,
            int k,
            int stride,
            int pad,
            boolean prunable) {
        NamedTensor w = sd.require(conv + ".weight", outC, x.channels(), k, k);
        float[] bias =
                sd.contains(conv + ".bias") ? sd.require(conv + ".bias", outC).data() : null;
        BatchNormFolding.Folded f = BatchNormFolding.fold(
                conv,
                w.data(),
                bias,
                sd.require(bn + ".weight", outC).data(),
                sd.require(bn + ".bias", outC).data(),
                sd.require(bn + ".running_mean", outC).data(),
                sd.require(bn + ".running_var", outC).data(),
                BatchNormFolding.DEFAULT_EPS);
        return b.conv(conv, x, f.weight(), f.bias(), outC, k, stride, pad, prunable);
    }
}
