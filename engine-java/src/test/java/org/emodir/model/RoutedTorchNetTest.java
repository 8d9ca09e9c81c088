package org.emodir.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.conv.ConvRouter;
import org.emodir.model.conv.HostInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A whole pruned network (odd widths) computes the same logits and parameter gradients whichever route its
 * convolutions take: every route forced against the non-mkldnn path. On a host where plain mkldnn is right, the
 * router never leaves it, so this is where the fallback routes are exercised end to end.
 */
class RoutedTorchNetTest {
    @ParameterizedTest
    @CsvSource({"channels_last", "padded", "verify"})
    void routeGivesTheSameLogitsAndGradientsAsTheNonMkldnnPath(String mode) {
        if (mode.equals("padded") && !ConvRouter.inMemory("verify").summary().plainTrusted()) {
            // Padding runs plain mkldnn's blocked reorders, which are wrong where the host hides its cache sizes; there
            // the router must never choose it (it is not a candidate), and that is what holds here.
            assertTrue(!HostInfo.detect().cacheSizesVisible(), "plain is untrusted only where caches are hidden");
            return;
        }
        NetSpec dense = NetSpec.dense("resnet20", 10);
        int[] widths = new int[dense.prunableGroups().size()];
        for (int i = 0; i < widths.length; i++)
            widths[i] = dense.prunableGroups().get(i).denseWidth() / 2 + (i % 2 == 0 ? 1 : -1);
        NetSpec spec = dense.withChannels(new ChannelConfig(widths));
        try (PointerScope scope = new PointerScope();
                TorchNet routed = TorchNet.random(spec, 3).convRouter(ConvRouter.inMemory(mode));
                TorchNet reference = TorchNet.random(spec, 3).convRouter(ConvRouter.inMemory("slow"))) {
            torch.manual_seed(4);
            Tensor x = torch.randn(16, 3, 32, 32);
            Tensor[] a = logitsAndGradients(routed, x);
            Tensor[] b = logitsAndGradients(reference, x);
            for (int i = 0; i < a.length; i++) {
                double scale = b[i].abs().max().item_double();
                double err = a[i].sub(b[i]).abs().max().item_double() / Math.max(scale, 1e-12);
                assertTrue(err < 1e-3, mode + ": tensor " + i + " relative error " + err);
            }
        }
    }

    /** Logits and every parameter's gradient of one training-mode forward and backward. */
    private static Tensor[] logitsAndGradients(TorchNet net, Tensor x) {
        net.train(true);
        Tensor logits = net.forward(x);
        logits.pow(new org.bytedeco.pytorch.Scalar(2)).sum().backward();
        List<Tensor> params = net.parameters();
        Tensor[] out = new Tensor[params.size() + 1];
        out[0] = logits.detach();
        for (int i = 0; i < params.size(); i++) out[i + 1] = params.get(i).grad();
        return out;
    }
}
