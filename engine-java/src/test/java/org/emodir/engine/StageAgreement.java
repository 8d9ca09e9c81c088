package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.TorchReferenceEvaluator;
import org.emodir.program.SubnetProgram;

/**
 * Acceptance check shared by the tests (and, after merge, by the pretrained ResNet-56 per-stage check):
 * native CPU vs libtorch on one program, random masks. Tolerances: every output within
 * 1e-3 * max|libtorch output|; mse and cross-entropy within 1e-3 relative; identical top-1 decisions.
 */
final class StageAgreement {
    static final double OUTPUT_TOLERANCE = 1e-3;

    private StageAgreement() {}

    static void check(SubnetProgram program, float[] input, int batch, int population, double keep, long seed) {
        Random rng = new Random(seed);
        int[] labels = new int[batch];
        float[] reference = new float[batch * program.outputSize()];
        for (int i = 0; i < reference.length; ++i) reference[i] = (float) rng.nextGaussian();
        if (program.hasHead()) for (int b = 0; b < batch; ++b) labels[b] = rng.nextInt(program.classes());
        EvaluationData data = EvaluationData.of(input, batch, reference, program.hasHead() ? labels : null);
        PopulationMasks masks = new PopulationMasks(population, program.numGenes());
        for (int p = 1; p < population; ++p) { // individual 0 stays dense
            for (int g = 0; g < program.groupSizes().length; ++g) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                for (int c = 0; c < size; ++c) masks.set(p, off + c, rng.nextDouble() < keep);
                masks.set(p, off + rng.nextInt(size), true);
            }
        }
        Objectives nat = new Objectives(population), ref = new Objectives(population);
        int outFloats = batch * program.outputSize();
        UnsafeBuffer outputs = new UnsafeBuffer(
                ByteBuffer.allocateDirect(population * outFloats * Float.BYTES).order(ByteOrder.nativeOrder()));
        try (NativeCpuEvaluator cpu = new NativeCpuEvaluator(program, data, 2);
                TorchReferenceEvaluator torch = new TorchReferenceEvaluator(program, data, 2)) {
            cpu.evaluate(masks, population, nat);
            torch.evaluate(masks, population, ref);
            cpu.forward(masks, population, outputs);
            float[] expected = new float[outFloats];
            for (int p = 0; p < population; ++p) {
                torch.forward(masks, p, expected);
                double scale = 0, worst = 0;
                for (int i = 0; i < outFloats; ++i) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    worst = Math.max(
                            worst, Math.abs(expected[i] - outputs.getFloat((p * outFloats + i) * Float.BYTES)));
                }
                assertTrue(scale > 0, "degenerate reference output for individual " + p);
                assertTrue(
                        worst <= OUTPUT_TOLERANCE * scale,
                        "individual " + p + ": max |native - libtorch| = " + worst + " vs output scale " + scale);
                assertRelative(ref.mse(p), nat.mse(p), "mse of individual " + p);
                if (program.hasHead()) {
                    assertRelative(ref.crossEntropy(p), nat.crossEntropy(p), "cross-entropy of individual " + p);
                    assertEquals(ref.top1(p), nat.top1(p), "top-1 count of individual " + p);
                    int n = program.classes();
                    for (int b = 0; b < batch; ++b) {
                        assertEquals(
                                argmax(expected, b * n, n),
                                argmax(outputs, (p * outFloats + b * n), n),
                                "top-1 class of image " + b + ", individual " + p);
                    }
                } else {
                    assertTrue(
                            Float.isNaN(nat.crossEntropy(p)) && Float.isNaN(nat.top1(p)), "ce/top1 NaN without a head");
                }
            }
        }
    }

    private static void assertRelative(float expected, float actual, String what) {
        assertTrue(
                Math.abs(expected - actual) <= 1e-3 * Math.max(Math.abs(expected), 1e-6),
                what + ": native " + actual + ", libtorch " + expected);
    }

    private static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; ++i) if (a[off + i] > a[off + best]) best = i;
        return best;
    }

    private static int argmax(UnsafeBuffer a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; ++i)
            if (a.getFloat((off + i) * Float.BYTES) > a.getFloat((off + best) * Float.BYTES)) best = i;
        return best;
    }
}
