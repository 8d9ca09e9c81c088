package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.Batches;
import org.emodir.eval.MemoryBudget;
import org.emodir.model.ChannelGroup;
import org.emodir.model.ChannelPruner;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeNetwork}: whole-network logits of the native CPU engine against libtorch for the pretrained
 * ResNet-20, dense and physically pruned with random keep-lists ({@link ChannelPruner}), on random inputs and on
 * the first 20 CIFAR-10 test images of every class (200). Tolerance: max |native - libtorch| <= {@value #REL} x
 * max |libtorch| + {@value #ABS} (float32 im2col sgemm against libtorch's conv, BatchNorm folded vs applied);
 * top-1 must be identical on every real image. bf16 convs (fp32 accumulation) must keep the top-1 of at least
 * {@value #BF16_TOP1_AGREEMENT} of the images.
 */
class NativeNetworkTest {
    static final double REL = 1e-4, ABS = 1e-4, BF16_TOP1_AGREEMENT = 0.97;
    private static final int THREADS = 2, PER_CLASS = 20, BATCH = 100;

    @Test
    void denseResNet20MatchesLibtorch() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        check(spec, SharedFixtures.weights(SharedFixtures.RESNET20));
    }

    @Test
    void randomlyPrunedResNet20MatchesLibtorch() {
        NetSpec dense = NetSpec.dense("resnet20", 10);
        Random rng = new Random(17);
        List<int[]> keep = new ArrayList<>();
        for (ChannelGroup g : dense.prunableGroups()) {
            int width = dense.channelConfig().width(g.index());
            keep.add(randomKeep(rng, width, 1 + rng.nextInt(width)));
        }
        ChannelPruner.Result pruned = ChannelPruner.prune(dense, SharedFixtures.weights(SharedFixtures.RESNET20), keep);
        int before = java.util.Arrays.stream(dense.channelConfig().toArray()).sum();
        int after =
                java.util.Arrays.stream(pruned.spec().channelConfig().toArray()).sum();
        assertTrue(after < before, "pruned " + before + " -> " + after + " channels");
        check(pruned.spec(), pruned.weights());
    }

    @Test
    void bf16KeepsTheTop1OfNearlyEveryImage() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        StateDict sd = SharedFixtures.weights(SharedFixtures.RESNET20);
        int agree = 0, images = 0;
        try (NativeNetwork fp32 = network(spec, sd, Precision.FP32);
                NativeNetwork bf16 = network(spec, sd, Precision.BF16)) {
            for (LabeledBatch b : SharedFixtures.cifarSubset("test", PER_CLASS, BATCH)) {
                float[] a = fp32.logits(b.pixels(), b.n()), c = bf16.logits(b.pixels(), b.n());
                for (int i = 0; i < b.n(); i++) if (argmax(a, i, 10) == argmax(c, i, 10)) agree++;
                images += b.n();
            }
        }
        assertEquals(10 * PER_CLASS, images);
        assertTrue(agree >= BF16_TOP1_AGREEMENT * images, "bf16 agrees with fp32 on " + agree + " of " + images);
    }

    @Test
    void aSmallMemoryBudgetSplitsTheBatchWithoutChangingTheLogits() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        StateDict sd = SharedFixtures.weights(SharedFixtures.RESNET20);
        float[] images = gaussian(new Random(3), 16 * 3 * 32 * 32);
        try (NativeNetwork whole = network(spec, sd, Precision.FP32)) {
            float[] expected = whole.logits(images, 16);
            // Exactly the scratch of one image: one image per native call.
            try (NativeNetwork split = new NativeNetwork(
                    NetSpecPrograms.network(spec, sd, 32, 32),
                    THREADS,
                    Precision.FP32,
                    MemoryBudget.ofBytes(scratchOfOneImage(spec, sd)))) {
                float[] got = split.logits(images, 16);
                for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 0f, "logit " + i);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static long scratchOfOneImage(NetSpec spec, StateDict sd) {
        try (NativeProgram p = new NativeProgram(NetSpecPrograms.network(spec, sd, 32, 32))) {
            return org.emodir.engine.binding.EmodirNative.emodir_cpu_scratch_bytes(p.handle(), 1, 1, THREADS);
        }
    }

    private static void check(NetSpec spec, StateDict sd) {
        try (NoGradGuard noGrad = new NoGradGuard();
                TorchNet torch = TorchNet.fromStateDict(spec, sd);
                NativeNetwork net = network(spec, sd, Precision.FP32)) {
            torch.train(false);
            float[] random = gaussian(new Random(5), 8 * 3 * 32 * 32);
            float[] expected;
            try (PointerScope scope = new PointerScope()) {
                expected = Tensors.toFloats(torch.forward(Tensors.fromFloats(random, 8, 3, 32, 32)));
            }
            assertClose(expected, net.logits(random, 8), spec + " random inputs");
            int images = 0;
            for (LabeledBatch b : SharedFixtures.cifarSubset("test", PER_CLASS, BATCH)) {
                try (PointerScope scope = new PointerScope()) {
                    expected = Tensors.toFloats(torch.forward(Batches.images(b)));
                }
                float[] got = net.logits(b.pixels(), b.n());
                assertClose(expected, got, spec + " CIFAR-10 test images from " + b.indices()[0]);
                for (int i = 0; i < b.n(); i++) {
                    assertEquals(argmax(expected, i, 10), argmax(got, i, 10), "top-1 of image " + b.indices()[i]);
                }
                images += b.n();
            }
            assertEquals(10 * PER_CLASS, images);
        }
    }

    private static NativeNetwork network(NetSpec spec, StateDict sd, Precision precision) {
        return new NativeNetwork(NetSpecPrograms.network(spec, sd, 32, 32), THREADS, precision, MemoryBudget.host());
    }

    private static void assertClose(float[] expected, float[] got, String what) {
        assertEquals(expected.length, got.length, what + ": logits count");
        double max = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - got[i]));
        }
        assertTrue(max > 1, what + ": logits are not trivially small (max " + max + ")");
        assertTrue(diff <= REL * max + ABS, what + ": max |native - libtorch| " + diff + " at max |logit| " + max);
    }

    private static int argmax(float[] logits, int image, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[image * classes + c] > logits[image * classes + best]) best = c;
        }
        return best;
    }

    private static int[] randomKeep(Random rng, int width, int k) {
        int[] order = new int[width];
        for (int i = 0; i < width; i++) order[i] = i;
        for (int i = width - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] keep = java.util.Arrays.copyOf(order, k);
        java.util.Arrays.sort(keep);
        return keep;
    }

    private static float[] gaussian(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
