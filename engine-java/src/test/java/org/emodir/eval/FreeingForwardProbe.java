package org.emodir.eval;

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

/**
 * Run in a fresh JVM by {@link FreeingForwardTest}: the peak RSS growth of scoring 8 ResNet-20 images at 224 px with
 * the freeing, chunked forward and with the plain forward. A fresh process, because a long-lived test JVM reuses
 * memory it already holds and its resident set no longer grows. Prints {@code freeing=<bytes> plain=<bytes>}.
 */
public final class FreeingForwardProbe {
    private FreeingForwardProbe() {}

    public static void main(String[] args) throws IOException {
        try (NoGradGuard g = new NoGradGuard();
                TorchNet net = TorchNet.random(NetSpec.dense("resnet20", 10), 9)) {
            net.train(false);
            torch.manual_seed(10);
            Tensor x = torch.randn(8, 3, 224, 224);
            // Warm-up: the first forward at new shapes loads kernels (and on hosts that hide their cache sizes checks
            // each new convolution shape once), which is not what is measured.
            try (PointerScope warm = new PointerScope()) {
                net.forwardFreeing(x.narrow(0, 0, 1));
            }
            long freeing = peakGrowth(() -> Evaluator.logitsInChunks(net, x));
            long plain = peakGrowth(() -> Tensors.toFloats(net.forward(x)));
            System.out.println("freeing=" + freeing + " plain=" + plain);
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
