package org.emodir.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelPrunerTest {
    /** Absolute tolerance on logits of order 1-10: float32 summation order differs between the two nets. */
    static final float TOL = 1e-4f;

    /**
     * Reference: the dense net with the pruned channels' BN output forced to zero (gamma = beta = 0), which
     * is exactly what removing them computes, since ReLU(0) = 0 feeds nothing into the next layer.
     */
    @ParameterizedTest
    @CsvSource({"resnet20,10,32", "vgg16,10,32", "resnet50,7,64"})
    void prunedNetEqualsMaskedDenseNet(String arch, int classes, int size) {
        NetSpec spec = NetSpec.dense(arch, classes);
        Random rnd = new Random(11);
        try (PointerScope scope = new PointerScope();
                TorchNet init = TorchNet.random(spec, 12)) {
            StateDict dense = randomiseBnStatistics(init.toStateDict(), rnd);
            List<int[]> keep = new ArrayList<>();
            for (ChannelGroup g : spec.prunableGroups()) keep.add(randomSubset(g.denseWidth(), rnd));

            StateDict masked = copy(dense);
            for (ChannelGroup g : spec.prunableGroups()) {
                int[] k = keep.get(g.index());
                String bn = spec.producer(g).bn();
                for (String p : List.of(".weight", ".bias")) {
                    float[] v = masked.get(bn + p).data().clone();
                    for (int c = 0; c < v.length; c++) if (Arrays.binarySearch(k, c) < 0) v[c] = 0f;
                    masked.put(new NamedTensor(bn + p, masked.get(bn + p).shape(), v));
                }
            }
            ChannelPruner.Result pruned = ChannelPruner.prune(spec, dense, keep);
            for (ChannelGroup g : spec.prunableGroups()) {
                assertEquals(
                        keep.get(g.index()).length,
                        pruned.spec().channelConfig().width(g.index()));
            }
            assertTrue(Flops.count(pruned.spec(), size, size).totalMacs()
                    < Flops.count(spec, size, size).totalMacs());

            torch.manual_seed(13);
            Tensor x = torch.randn(2, 3, size, size);
            try (TorchNet ref = TorchNet.fromStateDict(spec, masked);
                    TorchNet small = TorchNet.fromStateDict(pruned.spec(), pruned.weights())) {
                float[] expected = Tensors.toFloats(ref.forward(x));
                float[] actual = Tensors.toFloats(small.forward(x));
                assertArrayEquals(expected, actual, TOL);
                float[] unmasked =
                        Tensors.toFloats(TorchNet.fromStateDict(spec, dense).forward(x));
                assertTrue(maxAbsDiff(unmasked, actual) > 100 * TOL, "pruning must change the dense output");
            }
        }
    }

    @Test
    void l1SelectionKeepsTheLargestFilters() {
        // 4 filters of 2 weights: L1 norms 3, 0.5, 7, 3 -> keep 2 = {0, 2} (tie 0 vs 3 broken by index).
        StateDict sd = new StateDict();
        sd.put(new NamedTensor(
                "layer1.0.conv1.weight", new long[] {4, 2, 1, 1}, new float[] {1, -2, 0.5f, 0, -7, 0, 3, 0}));
        ChannelGroup g = new ChannelGroup(0, "layer1.0.conv1", 4, 0, 0);
        assertArrayEquals(new int[] {0, 2}, ChannelPruner.l1Selection(sd, g, 2));
        assertArrayEquals(new int[] {0, 2, 3}, ChannelPruner.l1Selection(sd, g, 3));
        assertArrayEquals(new int[] {2}, ChannelPruner.l1Selection(sd, g, 1));
        assertThrows(IllegalArgumentException.class, () -> ChannelPruner.l1Selection(sd, g, 5));
    }

    @Test
    void uniformL1PruningProducesTheTargetWidths() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 14)) {
            StateDict sd = net.toStateDict();
            int[] half = spec.prunableGroups().stream()
                    .mapToInt(g -> g.denseWidth() / 2)
                    .toArray();
            ChannelPruner.Result r =
                    ChannelPruner.prune(spec, sd, ChannelPruner.l1Keep(spec, sd, new ChannelConfig(half)));
            assertArrayEquals(half, r.spec().channelConfig().toArray());
            assertArrayEquals(
                    new long[] {8, 16, 3, 3},
                    r.weights().get("layer1.0.conv1.weight").shape());
            assertArrayEquals(
                    new long[] {16, 8, 3, 3},
                    r.weights().get("layer1.0.conv2.weight").shape());
            assertArrayEquals(
                    new long[] {64},
                    r.weights().get("layer3.2.bn2.running_mean").shape(),
                    "residual width unchanged");
            List<int[]> bad = new ArrayList<>(
                    java.util.Collections.nCopies(spec.prunableGroups().size(), (int[]) null));
            bad.set(4, new int[] {3, 3});
            var e = assertThrows(IllegalArgumentException.class, () -> ChannelPruner.prune(spec, sd, bad));
            assertTrue(e.getMessage().contains("layer2.1.conv1"), e.getMessage());
        }
    }

    private static int[] randomSubset(int width, Random rnd) {
        List<Integer> all = new ArrayList<>(IntStream.range(0, width).boxed().toList());
        java.util.Collections.shuffle(all, rnd);
        int k = 1 + rnd.nextInt(width - 1);
        return all.subList(0, k).stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Non-trivial running statistics and affine parameters so every BN does real work. */
    private static StateDict randomiseBnStatistics(StateDict sd, Random rnd) {
        StateDict out = new StateDict();
        for (String k : sd.names()) {
            NamedTensor t = sd.get(k);
            float[] v = t.data().clone();
            if (k.endsWith("running_mean") || (k.endsWith(".bias") && t.shape().length == 1)) {
                for (int i = 0; i < v.length; i++) v[i] = (float) (0.1 * rnd.nextGaussian());
            } else if (k.endsWith("running_var")) {
                for (int i = 0; i < v.length; i++) v[i] = (float) (0.5 + rnd.nextDouble());
            }
            out.put(new NamedTensor(k, t.shape(), v));
        }
        return out;
    }

    private static StateDict copy(StateDict sd) {
        StateDict out = new StateDict();
        for (String k : sd.names()) out.put(sd.get(k));
        return out;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
