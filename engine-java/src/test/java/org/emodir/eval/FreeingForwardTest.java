package org.emodir.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void scoringABatchHoldsAboutOneBlocksActivations() throws Exception {
        // ResNet-20 at 224 px, 8 images, measured in a fresh JVM (FreeingForwardProbe): the plain forward keeps every
        // block's outputs alive until the scope closes (about 130 MB per image); freed block by block, the peak is one
        // block's tensors (~26 MB each for 8 images) plus the convolution library's reorder buffers: measured 0.4 GB
        // against 1.3 GB on a host that hides its cache sizes.
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(List.of(
                        java,
                        "--add-opens",
                        "java.base/jdk.internal.misc=ALL-UNNAMED",
                        "-Xmx1g",
                        "-cp",
                        System.getProperty("java.class.path"),
                        FreeingForwardProbe.class.getName()))
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly();
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "probe exited " + p.exitValue() + ":\n" + text);
        Matcher m = Pattern.compile("freeing=(\\d+) plain=(\\d+)").matcher(text);
        assertTrue(m.find(), "probe output:\n" + text);
        long freeing = Long.parseLong(m.group(1));
        long plain = Long.parseLong(m.group(2));
        System.out.printf("peak growth, 8 images at 224 px: freeing %d MB, plain %d MB%n", freeing >> 20, plain >> 20);
        assertTrue(plain > 1_000_000_000L, "plain forward's peak growth " + plain + " B: the probe sees activations");
        assertTrue(freeing < plain / 2, "freeing forward's peak growth " + freeing + " B (plain " + plain + " B)");
    }
}
