package org.emodir.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TorchNetTest {
    @ParameterizedTest
    @CsvSource({
        "resnet20,10,32",
        "resnet32,10,32",
        "resnet44,10,32",
        "resnet56,10,32",
        "resnet110,10,32",
        "vgg16,10,32",
        "resnet50,1000,224"
    })
    void forwardShapesOfAllArchitectures(String arch, int classes, int size) {
        NetSpec spec = NetSpec.dense(arch, classes);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 1)) {
            torch.manual_seed(2);
            Tensor x = torch.randn(2, 3, size, size);
            TorchNet.Trace t = net.trace(x);
            assertArrayEquals(new long[] {2, classes}, Tensors.shape(t.logits()));
            int hw = size;
            int[] expectedChannels = new int[spec.numStages()];
            for (int s = 0; s < spec.numStages(); s++)
                expectedChannels[s] = spec.stage(s).outChannels();
            for (int s = 0; s < spec.numStages(); s++) {
                assertEquals(expectedChannels[s], t.stageOutputs().get(s).size(1), arch + " stage " + s);
            }
            long lastHw = t.stageOutputs().get(spec.numStages() - 1).size(2);
            assertEquals(
                    arch.equals("resnet50") ? 7 : arch.equals("vgg16") ? 1 : 8, lastHw, arch + " final spatial size");
            float[] logits = Tensors.toFloats(t.logits());
            for (float v : logits) assertTrue(Float.isFinite(v));
            assertTrue(hw > 0);
        }
    }

    @Test
    void stageForwardsComposeToTheFullForward() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 3)) {
            torch.manual_seed(4);
            Tensor x = torch.randn(2, 3, 32, 32);
            float[] full = Tensors.toFloats(net.forward(x));
            for (int s = 0; s <= spec.numStages(); s++) {
                float[] split = Tensors.toFloats(net.forwardFrom(s, net.forwardUpTo(s, x)));
                assertArrayEquals(full, split, 1e-5f, "split at stage " + s);
            }
        }
    }

    @Test
    void stateDictRoundTripsNamesShapesAndValues() {
        NetSpec spec = NetSpec.dense("vgg16", 10);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 5)) {
            StateDict sd = net.toStateDict();
            assertEquals(spec.stateShapes().keySet().stream().toList(), sd.names());
            for (Map.Entry<String, long[]> e : spec.stateShapes().entrySet()) {
                assertArrayEquals(e.getValue(), sd.get(e.getKey()).shape(), e.getKey());
            }
            try (TorchNet copy = TorchNet.fromStateDict(spec, sd)) {
                StateDict again = copy.toStateDict();
                for (String k : sd.names())
                    assertArrayEquals(sd.get(k).data(), again.get(k).data(), k);
                Tensor x = torch.randn(1, 3, 32, 32);
                assertArrayEquals(Tensors.toFloats(net.forward(x)), Tensors.toFloats(copy.forward(x)), 0f);
            }
        }
    }

    @Test
    void loadRejectsMissingUnexpectedAndMisShapedKeysByName() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 6)) {
            StateDict good = net.toStateDict();

            StateDict missing = copyExcept(good, "layer2.1.bn1.running_var");
            var e1 = assertThrows(WeightsException.class, () -> TorchNet.fromStateDict(spec, missing));
            assertTrue(e1.getMessage().contains("layer2.1.bn1.running_var"), e1.getMessage());

            StateDict extra = copyExcept(good, "");
            extra.put(new NamedTensor("layer9.weight", new long[] {1}, new float[1]));
            var e2 = assertThrows(WeightsException.class, () -> TorchNet.fromStateDict(spec, extra));
            assertTrue(e2.getMessage().contains("layer9.weight"), e2.getMessage());

            StateDict wrong = copyExcept(good, "linear.weight");
            wrong.put(new NamedTensor("linear.weight", new long[] {10, 32}, new float[320]));
            var e3 = assertThrows(WeightsException.class, () -> TorchNet.fromStateDict(spec, wrong));
            assertTrue(
                    e3.getMessage().contains("linear.weight")
                            && e3.getMessage().contains("[10, 32]")
                            && e3.getMessage().contains("[10, 64]"),
                    e3.getMessage());

            var e4 = assertThrows(IllegalArgumentException.class, () -> net.forward(torch.randn(2, 1, 32, 32)));
            assertTrue(e4.getMessage().contains("[2, 1, 32, 32]"), e4.getMessage());

            StateDict tracked = copyExcept(good, "");
            tracked.put(new NamedTensor("bn1.num_batches_tracked", new long[] {}, new float[1]));
            TorchNet.fromStateDict(spec, tracked).close();
        }
    }

    @Test
    void aPrunedStageCanBeSwappedIntoTheDenseNet() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        try (PointerScope scope = new PointerScope();
                TorchNet dense = TorchNet.random(spec, 41)) {
            StateDict sd = dense.toStateDict();
            java.util.List<int[]> keep = new java.util.ArrayList<>();
            for (ChannelGroup g : spec.prunableGroups()) keep.add(g.stage() == 1 ? new int[] {0, 5, 9, 30} : null);
            ChannelPruner.Result r = ChannelPruner.prune(spec, sd, keep);
            try (TorchNet pruned = TorchNet.fromStateDict(r.spec(), r.weights())) {
                dense.replaceStage(1, pruned);
                assertEquals(r.spec().channelConfig(), dense.spec().channelConfig());
                torch.manual_seed(42);
                Tensor x = torch.randn(2, 3, 32, 32);
                assertArrayEquals(Tensors.toFloats(pruned.forward(x)), Tensors.toFloats(dense.forward(x)), 0f);
                assertArrayEquals(new long[] {4, 16, 3, 3}, Tensors.shape(dense.tensor("layer2.0.conv1.weight")));
            }
        }
        NetSpec vgg = NetSpec.dense("vgg16", 10);
        NetSpec narrowLast = vgg.withChannels(vgg.channelConfig().with(1, 32));
        var e = assertThrows(IllegalArgumentException.class, () -> vgg.withStageFrom(0, narrowLast));
        assertTrue(e.getMessage().contains("block1 of"), e.getMessage());
    }

    private static StateDict copyExcept(StateDict sd, String skip) {
        StateDict out = new StateDict();
        for (String k : sd.names()) if (!k.equals(skip)) out.put(sd.get(k));
        return out;
    }
}
