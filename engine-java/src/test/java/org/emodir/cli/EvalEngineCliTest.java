package org.emodir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.emodir.data.DataDirs;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --engine native [--precision bf16]} on a pruned model written like a prune run's {@code pruned/}
 * folder: the JSON contract of {@code eval} plus {@code engine}, the same top-1 as libtorch on 200 test images, and
 * the usage errors (exit code 2) of the new options.
 */
class EvalEngineCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void nativeEngineOnAPrunedModelGivesLibtorchsAccuracy() throws Exception {
        NetSpec dense = NetSpec.dense("resnet20", 10);
        List<ChannelGroup> groups = dense.prunableGroups();
        byte[][] masks = new byte[groups.size()][];
        for (ChannelGroup g : groups) {
            masks[g.index()] = new byte[dense.channelConfig().width(g.index())];
            for (int c = 0; c < masks[g.index()].length; c++) masks[g.index()][c] = (byte) (c % 8 == 7 ? 0 : 1);
        }
        PrunedModel.fromMasks(dense, SharedFixtures.weights(SharedFixtures.RESNET20), groups, masks)
                .save(dir);
        JsonNode libtorch = eval();
        JsonNode nativeFp32 = eval("--engine", "native");
        JsonNode nativeBf16 = eval("--engine", "native", "--precision", "bf16");
        assertEquals("libtorch", libtorch.get("engine").asText());
        assertEquals("native", nativeFp32.get("engine").asText());
        for (String field : new String[] {"top1", "top5", "images", "seconds", "loss", "images_per_second"})
            assertTrue(nativeFp32.has(field), field + " in " + nativeFp32);
        assertEquals(200, nativeFp32.get("images").asInt());
        // Pruned without fine-tuning: far below the dense 92%, but above chance (0.1).
        assertTrue(libtorch.get("top1").asDouble() > 0.2, "pruned ResNet-20 (7/8 inner channels) top-1 " + libtorch);
        assertEquals(libtorch.get("top1").asDouble(), nativeFp32.get("top1").asDouble(), 0.0);
        assertEquals(libtorch.get("top5").asDouble(), nativeFp32.get("top5").asDouble(), 0.0);
        assertEquals(libtorch.get("loss").asDouble(), nativeFp32.get("loss").asDouble(), 1e-4);
        assertEquals("bf16", nativeBf16.get("precision").asText());
        assertEquals(libtorch.get("top1").asDouble(), nativeBf16.get("top1").asDouble(), 0.03);
    }

    @Test
    void bf16NeedsTheNativeEngineAndBadChoicesAreUsageErrors() {
        CliTest.Run r = CliTest.run("eval", "--model", "resnet20", "--precision", "bf16");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--engine native"), r.err());
        assertEquals(2, CliTest.run("eval", "--engine", "tpu").exit());
        assertEquals(
                2,
                CliTest.run("eval", "--engine", "native", "--precision", "fp16").exit());
        assertEquals(
                2,
                CliTest.run("eval", "--arch", dir.resolve("architecture.json").toString())
                        .exit());
    }

    private JsonNode eval(String... extra) throws Exception {
        String[] base = {
            "eval",
            "--arch",
            dir.resolve(PrunedModel.ARCHITECTURE_FILE).toString(),
            "--weights",
            dir.resolve(PrunedModel.WEIGHTS_FILE).toString(),
            "--data",
            DataDirs.cifar10Jpg().toString(),
            "--cache",
            SharedFixtures.CACHE.toString(),
            "--per-class",
            "20",
            "--threads",
            "2",
            "--json"
        };
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliTest.Run r = CliTest.run(args);
        assertEquals(0, r.exit(), r.err());
        return JSON.readTree(r.out());
    }
}
