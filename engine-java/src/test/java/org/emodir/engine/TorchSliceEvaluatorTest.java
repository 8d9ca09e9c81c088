package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.TorchReferenceEvaluator;
import org.emodir.eval.TorchSliceEvaluator;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.program.SubnetProgramBuilder;
import org.junit.jupiter.api.Test;

/**
 * The sliced libtorch baseline (kept channels index_selected per individual) against the masked one (dense convs,
 * pruned channels zeroed): two independent ways to run a pruned sub-network must give the same outputs
 * (1e-4 x max|output|), mse and cross-entropy (1e-4 relative) and top-1 counts.
 */
class TorchSliceEvaluatorTest {

    @Test
    void downsamplingStageWithOptionAShortcut() {
        RandomCifarResNet net = new RandomCifarResNet(21).stage(2, 2, 16, 32, false);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 2, 2, 16, 9, 9, false);
        agree(program, net.normal(3 * 16 * 81, 1.0), 3, 5, 0.4, 31);
    }

    @Test
    void lastStageWithConvShortcutAndHead() {
        RandomCifarResNet net =
                new RandomCifarResNet(22).stage(3, 2, 16, 32, true).linear(10, 32);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 3, 2, 16, 8, 8, true);
        agree(program, net.normal(6 * 16 * 64, 1.0), 6, 5, 0.6, 32);
    }

    @Test
    void prunedOutput() {
        RandomCifarResNet rnd = new RandomCifarResNet(23);
        agree(vggLike(rnd, false), rnd.normal(4 * 3 * 100, 1.0), 4, 5, 0.5, 33);
    }

    @Test
    void prunedHeadInput() {
        RandomCifarResNet rnd = new RandomCifarResNet(24);
        agree(vggLike(rnd, true), rnd.normal(4 * 3 * 100, 1.0), 4, 5, 0.5, 34);
    }

    /** conv (pruned) + maxpool + conv (pruned), optionally a head reading the pruned tensor. */
    private static SubnetProgram vggLike(RandomCifarResNet rnd, boolean head) {
        SubnetProgramBuilder b = new SubnetProgramBuilder(3, 10, 10);
        var x = b.relu(b.conv("stem", b.input(), rnd.normal(8 * 3 * 9, 0.5), rnd.normal(8, 0.1), 8, 3, 1, 1, true));
        x = b.maxPool("pool", x, 3, 2, 1);
        x = b.relu(b.conv("conv", x, rnd.normal(6 * 8 * 9, 0.3), rnd.normal(6, 0.1), 6, 3, 1, 1, true));
        return b.build(head ? b.head("fc", x, rnd.normal(5 * 6, 0.4), rnd.normal(5, 0.1), 5) : x);
    }

    private static void agree(SubnetProgram program, float[] input, int batch, int population, double keep, long seed) {
        Random rng = new Random(seed);
        float[] reference = new float[batch * program.outputSize()];
        for (int i = 0; i < reference.length; ++i) reference[i] = (float) rng.nextGaussian();
        int[] labels = new int[batch];
        if (program.hasHead()) for (int b = 0; b < batch; ++b) labels[b] = rng.nextInt(program.classes());
        EvaluationData data = EvaluationData.of(input, batch, reference, program.hasHead() ? labels : null);
        PopulationMasks masks = new PopulationMasks(population, program.numGenes());
        for (int p = 0; p < population; ++p) {
            for (int g = 0; g < program.groupSizes().length; ++g) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                for (int c = 0; c < size; ++c) masks.set(p, off + c, rng.nextDouble() < keep);
                masks.set(p, off + rng.nextInt(size), true);
            }
        }
        Objectives sliced = new Objectives(population), masked = new Objectives(population);
        int n = batch * program.outputSize();
        try (TorchSliceEvaluator slice = new TorchSliceEvaluator(program, data, 2);
                TorchReferenceEvaluator mask = new TorchReferenceEvaluator(program, data, 2)) {
            slice.evaluate(masks, population, sliced);
            mask.evaluate(masks, population, masked);
            float[] a = new float[n], e = new float[n];
            for (int p = 0; p < population; ++p) {
                slice.forward(masks, p, a);
                mask.forward(masks, p, e);
                double scale = 0, worst = 0;
                for (int i = 0; i < n; ++i) {
                    scale = Math.max(scale, Math.abs(e[i]));
                    worst = Math.max(worst, Math.abs(a[i] - e[i]));
                }
                assertTrue(scale > 0, "degenerate output of individual " + p);
                assertTrue(
                        worst <= 1e-4 * scale,
                        "individual " + p + ": max |slice - mask| " + worst + ", scale " + scale);
                assertRelative(masked.mse(p), sliced.mse(p), "mse of individual " + p);
                if (program.hasHead()) {
                    assertRelative(masked.crossEntropy(p), sliced.crossEntropy(p), "ce of individual " + p);
                    assertEquals(masked.top1(p), sliced.top1(p), "top-1 of individual " + p);
                }
            }
        }
    }

    private static void assertRelative(float expected, float actual, String what) {
        assertTrue(
                Math.abs(expected - actual) <= 1e-4 * Math.max(Math.abs(expected), 1e-6),
                what + ": slice " + actual + ", mask " + expected);
    }
}
