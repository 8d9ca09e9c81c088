package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.io.WeightsException;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetOp;
import org.emodir.program.SubnetProgram;
import org.junit.jupiter.api.Test;

/**
 * Stage programs built from PyTorch-named tensors, checked by the native CPU engine against an independent
 * libtorch forward with real (unfolded) BatchNorm. Tolerance: max |diff| <= 1e-3 * max |libtorch output|.
 */
class ResNetStageProgramsTest {

    /** The helper the pretrained ResNet-56 per-stage check will call with the real StateDict. */
    static void assertStageMatches(
            org.emodir.model.io.StateDict sd,
            int stage,
            int blocks,
            int c,
            int h,
            int w,
            boolean withHead,
            int batch,
            int population,
            long seed) {
        Random rng = new Random(seed);
        float[] input = new float[batch * c * h * w];
        for (int i = 0; i < input.length; ++i) input[i] = (float) rng.nextGaussian();
        assertStageMatches(sd, stage, blocks, c, h, w, withHead, input, batch, population, rng);
    }

    /**
     * Native CPU vs the independent libtorch stage on the given input, for the all-kept individual 0 and
     * random masks on the others. Returns the libtorch outputs, individual-major, for further checks.
     */
    static float[][] assertStageMatches(
            org.emodir.model.io.StateDict sd,
            int stage,
            int blocks,
            int c,
            int h,
            int w,
            boolean withHead,
            float[] input,
            int batch,
            int population,
            Random rng) {
        SubnetProgram program = ResNetStagePrograms.cifarStage(sd, stage, blocks, c, h, w, withHead);
        float[][] all = new float[population][];
        PopulationMasks masks = new PopulationMasks(population, program.numGenes());
        for (int p = 1; p < population; ++p) {
            for (int g = 0; g < program.groupSizes().length; ++g) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                for (int i = 0; i < size; ++i) masks.set(p, off + i, rng.nextBoolean());
                masks.set(p, off + rng.nextInt(size), true);
            }
        }
        int outFloats = batch * program.outputSize();
        UnsafeBuffer outputs = new UnsafeBuffer(
                ByteBuffer.allocateDirect(population * outFloats * 4).order(ByteOrder.nativeOrder()));
        try (NativeCpuEvaluator cpu = new NativeCpuEvaluator(program, EvaluationData.of(input, batch, null, null), 2)) {
            cpu.forward(masks, population, outputs);
        }
        for (int p = 0; p < population; ++p) {
            float[] expected =
                    StateDictTorchStage.forward(sd, stage, blocks, input, batch, c, h, w, withHead, masks, p);
            all[p] = expected;
            assertEquals(outFloats, expected.length, "output size");
            double scale = 0, worst = 0;
            for (int i = 0; i < outFloats; ++i) {
                scale = Math.max(scale, Math.abs(expected[i]));
                worst = Math.max(worst, Math.abs(expected[i] - outputs.getFloat((p * outFloats + i) * 4)));
            }
            assertTrue(
                    worst <= 1e-3 * scale,
                    "stage " + stage + ", individual " + p + ": max diff " + worst + ", scale " + scale);
            if (withHead) {
                int classes = program.outputSize();
                for (int b = 0; b < batch; ++b) {
                    int want = 0, got = 0;
                    for (int k = 1; k < classes; ++k) {
                        if (expected[b * classes + k] > expected[b * classes + want]) want = k;
                        if (outputs.getFloat((p * outFloats + b * classes + k) * 4)
                                > outputs.getFloat((p * outFloats + b * classes + got) * 4)) got = k;
                    }
                    assertEquals(want, got, "top-1 of image " + b + ", individual " + p);
                }
            }
        }
        return all;
    }

    @Test
    void optionAStageMatchesUnfoldedTorch() {
        RandomCifarResNet net = new RandomCifarResNet(21).stage(2, 3, 16, 32, false);
        assertStageMatches(net.sd, 2, 3, 16, 16, 16, false, 3, 4, 1);
    }

    @Test
    void convShortcutStageWithHeadMatchesUnfoldedTorch() {
        RandomCifarResNet net =
                new RandomCifarResNet(22).stage(3, 2, 32, 64, true).linear(10, 64);
        assertStageMatches(net.sd, 3, 2, 32, 8, 8, true, 4, 4, 2);
    }

    @Test
    void genesAreTheInnerChannelsOfEachBlockInOrder() {
        RandomCifarResNet net = new RandomCifarResNet(23).stage(1, 9, 16, 16, false);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 1, 9, 16, 32, 32, false);
        assertEquals(9 * 16, program.numGenes());
        assertEquals("layer1.0.conv1", program.groupNames().get(0));
        assertEquals("layer1.8.conv1", program.groupNames().get(8));
        assertEquals(
                List.of(16, 32, 32),
                List.of(program.outputShape()[0], program.outputShape()[1], program.outputShape()[2]));
        for (SubnetOp op : program.ops()) {
            assertTrue(op.dst() < EmodirNative.MAX_SLOTS && op.src() < EmodirNative.MAX_SLOTS, "slot range");
        }
    }

    @Test
    void wrongTensorShapeNamesTheTensor() {
        RandomCifarResNet net = new RandomCifarResNet(24).stage(1, 1, 16, 16, false);
        WeightsException e = assertThrows(
                WeightsException.class, () -> ResNetStagePrograms.cifarStage(net.sd, 1, 1, 8, 32, 32, false));
        assertTrue(e.getMessage().contains("layer1.0.conv1.weight"), e.getMessage());
    }
}
