package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.pytorch.Tensor;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.ChannelGroup;
import org.emodir.model.ChannelPruner;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetProgram;
import org.junit.jupiter.api.Test;

/**
 * {@link NetSpecPrograms} for VGG-16 (32x32) and ResNet-50 (64x64 to keep it fast), 10 classes, random weights
 * whose BatchNorm running statistics and affine parameters are randomised (so folding is really exercised):
 * the native CPU {@code forward} of random channel masks against libtorch on the PHYSICALLY pruned network
 * ({@link ChannelPruner#prune} then {@link TorchNet#fromStateDict}); where the program output is channel-pruned
 * (every VGG block ends in a prunable conv) libtorch's narrower output is zero-expanded to the dense width.
 *
 * <p>Tolerances: max |native - libtorch| <= {@value #REL} * max |libtorch| + {@value #ABS} (float32 sgemm
 * against libtorch's conv, BN folded vs applied); the MSE objective of {@code evaluate} equals the MSE computed
 * here from the zero-expanded {@code forward} output within relative {@value #MSE_REL}. For CIFAR ResNets the
 * programs must equal {@link ResNetStagePrograms}' (same weight blob, identical objectives).
 */
class NetSpecProgramsTest {
    static final double REL = 1e-4, ABS = 1e-5, MSE_REL = 1e-5;
    private static final int POPULATION = 4, BATCH = 2;

    @Test
    void vgg16BlockRangesAndWholeNetworkMatchPhysicallyPrunedLibtorch() {
        NetSpec spec = NetSpec.dense("vgg16", 10);
        StateDict sd = randomisedWeights(spec, 1);
        try (TorchNet dense = TorchNet.fromStateDict(spec, sd)) {
            dense.train(false);
            Random rng = new Random(2);
            float[] images = gaussian(rng, BATCH * 3 * 32 * 32);
            // stage 2 (index 1): ends with the stage's max-pool, output pruned by its last conv
            checkBlocks(spec, sd, dense, images, 32, spec.stageStart(1), spec.stageStart(2), rng);
            // part of stage 3: two of its three convs, no pool, output pruned by the second conv
            checkBlocks(spec, sd, dense, images, 32, spec.stageStart(2), spec.stageStart(2) + 2, rng);
            checkNetwork(spec, sd, images, 32, rng);
        }
    }

    @Test
    void resnet50StageWithDownsampleAndWholeNetworkMatchPhysicallyPrunedLibtorch() {
        NetSpec spec = NetSpec.dense("resnet50", 10);
        StateDict sd = randomisedWeights(spec, 3);
        try (TorchNet dense = TorchNet.fromStateDict(spec, sd)) {
            dense.train(false);
            Random rng = new Random(4);
            float[] images = gaussian(rng, BATCH * 3 * 64 * 64);
            // layer2: stride-2 conv2 and the downsample conv + BN on the first block's shortcut
            checkBlocks(spec, sd, dense, images, 64, spec.stageStart(1), spec.stageStart(2), rng);
            checkNetwork(spec, sd, images, 64, rng);
        }
    }

    @Test
    void cifarResNetProgramsEqualResNetStagePrograms() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        StateDict sd = randomisedWeights(spec, 5);
        int blocks = 3, size = 12;
        int[][] chw = {{16, size, size}, {16, size, size}, {32, size / 2, size / 2}};
        Random rng = new Random(6);
        for (int s = 0; s < 3; s++) {
            boolean head = s == 2;
            SubnetProgram mine =
                    NetSpecPrograms.blocks(spec, sd, spec.stageStart(s), spec.stageStart(s + 1), chw[s], head);
            SubnetProgram theirs =
                    ResNetStagePrograms.cifarStage(sd, s + 1, blocks, chw[s][0], chw[s][1], chw[s][2], head);
            assertSamePrograms(theirs, mine, rng, "stage " + (s + 1));
        }
        assertSamePrograms(
                ResNetStagePrograms.cifarTail(sd, 2, 3, blocks, 16, size, size),
                NetSpecPrograms.blocks(spec, sd, spec.stageStart(1), spec.numBlocks(), chw[1], true),
                rng,
                "tail");
        assertSamePrograms(
                ResNetStagePrograms.cifarNetwork(sd, 3, blocks, size, size),
                NetSpecPrograms.network(spec, sd, size, size),
                rng,
                "network");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void checkBlocks(
            NetSpec spec, StateDict sd, TorchNet dense, float[] images, int size, int from, int to, Random rng) {
        Tensor x = Tensors.fromFloats(images, BATCH, 3, size, size);
        Tensor feature = dense.forwardToBlock(from, x);
        long[] shape = Tensors.shape(feature);
        int[] chw = {(int) shape[1], (int) shape[2], (int) shape[3]};
        float[] input = Tensors.toFloats(feature);
        SubnetProgram program = NetSpecPrograms.blocks(spec, sd, from, to, chw, false);
        // VGG blocks end in a prunable conv: the range's output is pruned by the last block's conv
        String outputGroup = spec.family() == NetSpec.Family.CIFAR_VGG ? lastConvOf(spec, to - 1) : null;
        float[] reference = Tensors.toFloats(dense.forwardBlocks(from, to, feature));
        check(
                spec,
                sd,
                program,
                input,
                reference,
                outputGroup,
                rng,
                spec.blockRangeName(from, to),
                pruned -> pruned.forwardBlocks(from, to, Tensors.fromFloats(input, BATCH, chw[0], chw[1], chw[2])));
    }

    private static void checkNetwork(NetSpec spec, StateDict sd, float[] images, int size, Random rng) {
        SubnetProgram program = NetSpecPrograms.network(spec, sd, size, size);
        assertEquals(spec.prunableGroups().size(), program.groupNames().size(), "every prunable group is a gene group");
        float[] reference;
        try (TorchNet dense = TorchNet.fromStateDict(spec, sd)) {
            dense.train(false);
            reference = Tensors.toFloats(dense.forward(Tensors.fromFloats(images, BATCH, 3, size, size)));
        }
        check(
                spec,
                sd,
                program,
                images,
                reference,
                null,
                rng,
                "whole network",
                pruned -> pruned.forward(Tensors.fromFloats(images, BATCH, 3, size, size)));
    }

    private static String lastConvOf(NetSpec spec, int block) {
        var convs = spec.block(block).convs();
        return convs.get(convs.size() - 1).name();
    }

    private static void check(
            NetSpec spec,
            StateDict sd,
            SubnetProgram program,
            float[] input,
            float[] reference,
            String outputGroup,
            Random rng,
            String what,
            java.util.function.Function<TorchNet, Tensor> torchForward) {
        int outFloats = BATCH * program.outputSize();
        assertEquals(reference.length, outFloats, what + ": dense output size");
        PopulationMasks masks = randomMasks(program, rng);
        Objectives objectives = new Objectives(POPULATION);
        UnsafeBuffer outputs = new UnsafeBuffer(
                ByteBuffer.allocateDirect(POPULATION * outFloats * Float.BYTES).order(ByteOrder.nativeOrder()));
        try (NativeCpuEvaluator cpu =
                new NativeCpuEvaluator(program, EvaluationData.of(input, BATCH, reference, null), 2)) {
            cpu.evaluate(masks, POPULATION, objectives);
            cpu.forward(masks, POPULATION, outputs);
        }
        for (int p = 0; p < POPULATION; p++) {
            List<int[]> keep = keepLists(spec, program, masks, p);
            float[] expected;
            StateDict prunedWeights;
            NetSpec prunedSpec;
            {
                ChannelPruner.Result r = ChannelPruner.prune(spec, sd, keep);
                prunedSpec = r.spec();
                prunedWeights = r.weights();
            }
            try (TorchNet pruned = TorchNet.fromStateDict(prunedSpec, prunedWeights)) {
                pruned.train(false);
                expected = Tensors.toFloats(torchForward.apply(pruned));
            }
            if (outputGroup != null) {
                int g = program.groupNames().indexOf(outputGroup);
                assertTrue(g >= 0, what + ": output group " + outputGroup + " is a gene group");
                expected = zeroExpand(expected, keep.get(groupIndex(spec, outputGroup)), program.outputShape());
            }
            assertEquals(outFloats, expected.length, what + ": libtorch output size of individual " + p);
            double scale = 0, worst = 0, sse = 0;
            for (int i = 0; i < outFloats; i++) {
                float got = outputs.getFloat((p * outFloats + i) * Float.BYTES);
                scale = Math.max(scale, Math.abs(expected[i]));
                worst = Math.max(worst, Math.abs(got - expected[i]));
                double d = (double) got - reference[i];
                sse += d * d;
            }
            double tolerance = REL * scale + ABS;
            System.out.printf(
                    "%s %s individual %d: max |native - libtorch| = %.3g (scale %.3g, %.3g relative)%n",
                    spec.arch(), what, p, worst, scale, worst / scale);
            assertTrue(scale > 0, what + ": degenerate libtorch output for individual " + p);
            assertTrue(
                    worst <= tolerance,
                    what + ", individual " + p + ": max |native - libtorch| = " + worst + " > " + tolerance + " (scale "
                            + scale + ")");
            double mse = sse / outFloats;
            assertTrue(
                    Math.abs(objectives.mse(p) - mse) <= MSE_REL * mse + 1e-30,
                    what + ", individual " + p + ": evaluate mse " + objectives.mse(p) + ", from forward " + mse);
        }
    }

    /** Individual 0 keeps everything; the others keep each channel with probability 1/2 and at least one per group. */
    private static PopulationMasks randomMasks(SubnetProgram program, Random rng) {
        PopulationMasks masks = new PopulationMasks(POPULATION, program.numGenes());
        for (int p = 0; p < POPULATION; p++) {
            for (int g = 0; g < program.groupSizes().length; g++) {
                int off = program.groupOffset(g), n = program.groupSizes()[g];
                for (int c = 0; c < n; c++) masks.set(p, off + c, p == 0 || rng.nextBoolean());
                masks.set(p, off + rng.nextInt(n), true);
            }
        }
        return masks;
    }

    /** Kept channel indices per spec group (null = whole) for {@link ChannelPruner#prune}. */
    private static List<int[]> keepLists(NetSpec spec, SubnetProgram program, PopulationMasks masks, int p) {
        List<int[]> keep = new ArrayList<>();
        for (int i = 0; i < spec.prunableGroups().size(); i++) keep.add(null);
        for (int g = 0; g < program.groupNames().size(); g++) {
            int off = program.groupOffset(g), n = program.groupSizes()[g];
            int[] k = java.util.stream.IntStream.range(0, n)
                    .filter(c -> masks.kept(p, off + c))
                    .toArray();
            keep.set(groupIndex(spec, program.groupNames().get(g)), k);
        }
        return keep;
    }

    private static int groupIndex(NetSpec spec, String name) {
        for (ChannelGroup g : spec.prunableGroups()) if (g.name().equals(name)) return g.index();
        throw new AssertionError("no group " + name);
    }

    /** [B][k][H][W] with kept channels {@code kept} -> [B][C][H][W], dropped channels zero. */
    private static float[] zeroExpand(float[] pruned, int[] kept, int[] denseChw) {
        int c = denseChw[0], hw = denseChw[1] * denseChw[2], k = kept.length;
        assertEquals(BATCH * k * hw, pruned.length, "pruned output size");
        float[] out = new float[BATCH * c * hw];
        for (int b = 0; b < BATCH; b++) {
            for (int j = 0; j < k; j++) System.arraycopy(pruned, (b * k + j) * hw, out, (b * c + kept[j]) * hw, hw);
        }
        return out;
    }

    private static void assertSamePrograms(SubnetProgram expected, SubnetProgram actual, Random rng, String what) {
        assertEquals(expected.groupNames(), actual.groupNames(), what + ": groups");
        assertArrayEquals(expected.groupSizes(), actual.groupSizes(), what + ": group sizes");
        assertArrayEquals(expected.inputShape(), actual.inputShape(), what + ": input shape");
        assertArrayEquals(expected.outputShape(), actual.outputShape(), what + ": output shape");
        assertArrayEquals(expected.weights(), actual.weights(), what + ": weight blob");
        assertEquals(expected.ops().size(), actual.ops().size(), what + ": op count");
        int batch = 3;
        float[] input = gaussian(rng, batch * expected.inputSize());
        float[] reference = gaussian(rng, batch * expected.outputSize());
        int[] labels = expected.hasHead() ? new int[] {1, 7, 3} : null;
        Objectives a = new Objectives(POPULATION), b = new Objectives(POPULATION);
        PopulationMasks masks = randomMasks(expected, rng);
        EvaluationData data = EvaluationData.of(input, batch, reference, labels);
        try (NativeCpuEvaluator e = new NativeCpuEvaluator(expected, data, 2);
                NativeCpuEvaluator m = new NativeCpuEvaluator(actual, data, 2)) {
            e.evaluate(masks, POPULATION, a);
            m.evaluate(masks, POPULATION, b);
        }
        for (int p = 0; p < POPULATION; p++) {
            for (int o = 0; o < Objectives.COUNT; o++) {
                assertEquals(a.get(p, o), b.get(p, o), what + ": objective " + o + " of individual " + p);
            }
        }
    }

    /** TorchNet.random's weights with randomised BN running stats and affine params, conv and linear biases. */
    static StateDict randomisedWeights(NetSpec spec, long seed) {
        StateDict sd;
        try (TorchNet net = TorchNet.random(spec, seed)) {
            sd = net.toStateDict();
        }
        Set<String> bns = new HashSet<>();
        var convs = spec.convs();
        for (int i = 0; i < convs.size(); i++) bns.add(convs.get(i).bn());
        Random rng = new Random(seed);
        StateDict out = new StateDict();
        for (String name : sd.names()) {
            NamedTensor t = sd.get(name);
            float[] d = t.data().clone();
            String prefix = name.substring(0, name.lastIndexOf('.'));
            String param = name.substring(name.lastIndexOf('.') + 1);
            if (bns.contains(prefix)) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = switch (param) {
                        case "weight" -> (float) (0.6 + 0.8 * rng.nextDouble());
                        case "bias" -> (float) (0.2 * rng.nextGaussian());
                        case "running_mean" -> (float) (0.2 * rng.nextGaussian());
                        case "running_var" -> (float) (0.4 + 1.2 * rng.nextDouble());
                        default -> d[i];
                    };
                }
            } else if (param.equals("bias")) {
                for (int i = 0; i < d.length; i++) d[i] = (float) (0.1 * rng.nextGaussian());
            }
            out.put(new NamedTensor(name, t.shape(), d));
        }
        return out;
    }

    private static float[] gaussian(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
