package org.emodir.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Inference that frees each block's intermediates: same logits as the plain forward, a fraction of its memory. */
class FreeingForwardTest {
    @ParameterizedTest
    @CsvSource({"resnet20,10,32,3", "vgg16,10,32,2", "resnet50,100,64,2"})
    void theFreeingForwardGivesThePlainForwardsLogits(String arch, int classes, int size, int n) {
        try (PointerScope scope = new PointerScope();
                NoGradGuard g = new NoGradGuard();
                TorchNet net = TorchNet.random(NetSpec.dense(arch, classes), 5)) {
            net.train(false);
            torch.manual_seed(6);
            Tensor x = torch.randn(n, 3, size, size);
            assertArrayEquals(Tensors.toFloats(net.forward(x)), Tensors.toFloats(net.forwardFreeing(x)), arch);
        }
    }

    @Test
    void aBatchLargerThanOneForwardIsScoredInChunksWithTheSameLogits() {
        // 96 px: 16 images per forward, so 40 images take three forwards (16, 16, 8).
        assertEquals(16, TorchNet.inferenceImages(96, 96));
        try (PointerScope scope = new PointerScope();
                NoGradGuard g = new NoGradGuard();
                TorchNet net = TorchNet.random(NetSpec.dense("resnet20", 10), 7)) {
            net.train(false);
            torch.manual_seed(8);
            Tensor x = torch.randn(40, 3, 96, 96);
            float[] whole = Tensors.toFloats(net.forward(x));
            float[] chunked = Evaluator.logitsInChunks(net, x);
            assertEquals(whole.length, chunked.length);
            for (int i = 0; i < whole.length; i++) {
                assertEquals(whole[i], chunked[i], 1e-4 * (1 + Math.abs(whole[i])), "logit " + i);
            }
        }
    }

    @Test
    void scoringABatchHoldsAboutOneBlocksActivations() throws IOException {
        // ResNet-20 at 224 px, 8 images: the plain forward keeps every block's outputs alive until the scope closes
        // (about 130 MB per image); freed block by block, the peak is one block's tensors (~26 MB each for 8 images)
        // plus the convolution library's
        // reorder buffers: measured 0.4 GB against 1.3 GB on a host that hides its cache sizes.
        int n = 8;
        try (NoGradGuard g = new NoGradGuard();
                TorchNet net = TorchNet.random(NetSpec.dense("resnet20", 10), 9)) {
            net.train(false);
            torch.manual_seed(10);
            Tensor x = torch.randn(n, 3, 224, 224);
            // Warm-up: the first forward at new shapes loads kernels (and on hosts that hide their cache sizes checks
            // each new convolution shape once), which is not what is measured.
            try (PointerScope warm = new PointerScope()) {
                net.forwardFreeing(x.narrow(0, 0, 1));
            }
            long freeing = peakGrowth(() -> Evaluator.logitsInChunks(net, x));
            long plain = peakGrowth(() -> Tensors.toFloats(net.forward(x)));
            assertTrue(
                    plain > 1_000_000_000L, "plain forward's peak growth " + plain + " B: the probe sees activations");
            assertTrue(freeing < plain / 2, "freeing forward's peak growth " + freeing + " B (plain " + plain + " B)");
            x.close();
        }
    }

    /** Growth of the process's peak resident set over its current size while {@code work} runs in its own scope. */
    private static long peakGrowth(Runnable work) throws IOException {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // resets VmHWM to the current RSS (Linux >= 4.0)
        long before = statusKb("VmRSS");
        try (PointerScope scope = new PointerScope()) {
            work.run();
        }
        return (statusKb("VmHWM") - before) * 1024;
    }

    private static long statusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }
}
