package org.emodir.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.eval.EvalResult;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.testdata.SharedFixtures;
import org.emodir.train.FineTuner;
import org.emodir.train.TrainFixtures;
import org.emodir.train.UniformBaseline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrunedModelTest {
    /** Float32 sums over up to 576 products per output: 1e-4 absolute on logits of magnitude ~10. */
    private static final float TOL = 1e-4f;

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * Reference MACs written out for the CIFAR ResNet-20 layout (3x3 convs, 16/32/64 planes, stride 2 entering
     * stages 2 and 3): stem + per block conv1 (in -> kept) and conv2 (kept -> planes) + linear.
     */
    private static long naiveResNet20Macs(int[] widths) {
        int[] planes = {16, 32, 64};
        long macs = 3L * 16 * 9 * 32 * 32;
        int in = 16;
        int side = 32;
        for (int s = 0; s < 3; s++) {
            if (s > 0) side /= 2;
            for (int b = 0; b < 3; b++) {
                int k = widths[s * 3 + b];
                macs += (long) in * k * 9 * side * side + (long) k * planes[s] * 9 * side * side;
                in = planes[s];
            }
        }
        return macs + 64L * 10;
    }

    @Test
    void fromMasksMatchesFlopsAndTheMaskedDenseNetwork() {
        NetSpec dense = TrainFixtures.RESNET20;
        StateDict w = TrainFixtures.resnet20Weights();
        byte[][] masks = TrainFixtures.randomMasks(dense, 5);
        PrunedModel pruned = PrunedModel.fromMasks(dense, w, dense.prunableGroups(), masks);

        int[] widths = pruned.spec().channelConfig().toArray();
        for (ChannelGroup g : dense.prunableGroups())
            assertEquals(TrainFixtures.kept(masks[g.index()]), widths[g.index()], g.name());
        assertEquals(naiveResNet20Macs(widths), pruned.flops().totalMacs());
        assertTrue(pruned.flops().totalMacs() < ArchitectureFile.flops(dense).totalMacs());

        // Reference: dense net whose dropped channels have BN gamma = beta = 0, so they feed zeros after ReLU.
        StateDict masked = TrainFixtures.copy(w);
        for (ChannelGroup g : dense.prunableGroups()) {
            String bn = dense.producer(g).bn();
            for (String p : List.of(".weight", ".bias")) {
                NamedTensor t = masked.get(bn + p);
                float[] v = t.data().clone();
                for (int c = 0; c < v.length; c++) if (masks[g.index()][c] == 0) v[c] = 0f;
                masked.put(new NamedTensor(bn + p, t.shape(), v));
            }
        }
        try (PointerScope scope = new PointerScope();
                TorchNet ref = TorchNet.fromStateDict(dense, masked);
                TorchNet small = pruned.toTorchNet();
                TorchNet full = TorchNet.fromStateDict(dense, w)) {
            torch.manual_seed(3);
            Tensor x = torch.randn(4, 3, 32, 32);
            float[] expected = Tensors.toFloats(ref.forward(x));
            float[] actual = Tensors.toFloats(small.forward(x));
            assertArrayEquals(expected, actual, TOL);
            assertTrue(
                    TrainFixtures.maxAbsDiff(Tensors.toFloats(full.forward(x)), actual) > 100 * TOL,
                    "masks must change the output");
        }
    }

    @Test
    void fromMasksRejectsBadMasksNamingTheGroup() {
        NetSpec dense = TrainFixtures.RESNET20;
        StateDict w = TrainFixtures.resnet20Weights();
        byte[][] masks = TrainFixtures.randomMasks(dense, 6);
        masks[4] = new byte[masks[4].length];
        var e = assertThrows(
                IllegalArgumentException.class, () -> PrunedModel.fromMasks(dense, w, dense.prunableGroups(), masks));
        assertTrue(e.getMessage().contains("layer2.1.conv1") && e.getMessage().contains("no channel"), e.getMessage());
        masks[4] = new byte[3];
        e = assertThrows(
                IllegalArgumentException.class, () -> PrunedModel.fromMasks(dense, w, dense.prunableGroups(), masks));
        assertTrue(e.getMessage().contains("layer2.1.conv1") && e.getMessage().contains("3 entries"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> PrunedModel.fromMasks(dense, w, dense.prunableGroups(), Arrays.copyOf(masks, 8)));
        assertTrue(e.getMessage().contains("8 masks"), e.getMessage());
    }

    @Test
    void saveLoadRoundTripEvaluatesIdentically() throws IOException {
        NetSpec dense = TrainFixtures.RESNET20;
        PrunedModel pruned = PrunedModel.fromMasks(
                dense, TrainFixtures.resnet20Weights(), dense.prunableGroups(), TrainFixtures.randomMasks(dense, 7));
        Path dir = tmp.resolve("pruned");
        pruned.save(dir);
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of(PrunedModel.ARCHITECTURE_FILE, PrunedModel.WEIGHTS_FILE),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left behind");
        }
        PrunedModel loaded = PrunedModel.load(dir);
        assertEquals(pruned.spec().channelConfig(), loaded.spec().channelConfig());
        assertEquals(pruned.spec().arch(), loaded.spec().arch());
        PrunedModel viaPaths = PrunedModel.loadArchitecture(
                dir.resolve(PrunedModel.ARCHITECTURE_FILE), dir.resolve(PrunedModel.WEIGHTS_FILE));
        assertEquals(pruned.spec().channelConfig(), viaPaths.spec().channelConfig());

        FineTuner tuner = new FineTuner();
        var test = SharedFixtures.cifar("test");
        EvalResult before = tuner.evaluate(pruned, test, 100, 50);
        EvalResult after = tuner.evaluate(loaded, test, 100, 50);
        assertEquals(100, before.images());
        assertEquals(before.top1(), after.top1());
        assertEquals(before.loss(), after.loss(), 0.0);

        var json = JSON.readTree(dir.resolve(PrunedModel.ARCHITECTURE_FILE).toFile());
        assertEquals("resnet20", json.get("arch").asText());
        assertEquals(pruned.flops().totalMacs(), json.get("macs").asLong());
        assertEquals(
                pruned.spec().channelConfig().width(0),
                json.get("groups").get("layer1.0.conv1").asInt());
    }

    @Test
    void malformedArchitectureFilesAreRejectedNamingFileAndField() throws IOException {
        NetSpec dense = TrainFixtures.RESNET20;
        PrunedModel pruned = UniformBaseline.atFlops(dense, TrainFixtures.resnet20Weights(), 0.4);
        Path dir = tmp.resolve("ok");
        pruned.save(dir);
        Path arch = dir.resolve(PrunedModel.ARCHITECTURE_FILE);
        ObjectNode good = (ObjectNode) JSON.readTree(arch.toFile());

        expectBroken(good, j -> ((ArrayNode) j.get("channels")).set(3, 99), "channels[3]", "1..32");
        expectBroken(good, j -> ((ArrayNode) j.get("channels")).remove(0), "channels", "array of 9");
        expectBroken(
                good,
                j -> ((ObjectNode) j.get("groups")).put("layer1.1.conv1", 1),
                "groups.layer1.1.conv1",
                "disagrees");
        expectBroken(
                good, j -> ((ObjectNode) j.get("groups")).put("layer9.conv1", 1), "groups.layer9.conv1", "no such");
        expectBroken(good, j -> j.put("macs", 12345), "macs", "the channels give");
        expectBroken(good, j -> j.remove("arch"), "arch", "missing");
        expectBroken(good, j -> j.put("arch", "resnet21"), "arch", "resnet21");
        expectBroken(good, j -> j.put("format", "other"), "format", "other");

        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "{ not json");
        var e = assertThrows(
                ArchitectureException.class,
                () -> PrunedModel.loadArchitecture(garbage, dir.resolve(PrunedModel.WEIGHTS_FILE)));
        assertTrue(e.getMessage().contains("garbage.json"), e.getMessage());

        // Weights of another pruned architecture: the error names the weights file and a mis-shaped tensor.
        PrunedModel other = UniformBaseline.atFlops(dense, TrainFixtures.resnet20Weights(), 0.6);
        Path otherDir = tmp.resolve("other");
        other.save(otherDir);
        Path otherWeights = otherDir.resolve(PrunedModel.WEIGHTS_FILE);
        e = assertThrows(ArchitectureException.class, () -> PrunedModel.loadArchitecture(arch, otherWeights));
        assertTrue(
                e.getMessage().contains(otherWeights.toString())
                        && e.getMessage().contains("layer1.0.conv1.weight"),
                e.getMessage());
    }

    private void expectBroken(ObjectNode good, Consumer<ObjectNode> edit, String field, String detail)
            throws IOException {
        ObjectNode j = good.deepCopy();
        edit.accept(j);
        Path file = tmp.resolve("broken-" + field.replaceAll("[^a-z0-9]", "_") + ".json");
        Files.writeString(file, JSON.writeValueAsString(j));
        var e = assertThrows(ArchitectureException.class, () -> ArchitectureFile.read(file));
        assertTrue(
                e.getMessage().contains(file.toString())
                        && e.getMessage().contains("'" + field + "'")
                        && e.getMessage().contains(detail),
                e.getMessage());
    }
}
