package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.program.SubnetProgramBuilder;
import org.junit.jupiter.api.Test;

/** Native CPU engine against libtorch on random CIFAR-ResNet stages (see {@link StageAgreement} for tolerances). */
class NativeCpuVsTorchTest {

    @Test
    void firstStageWithIdentityShortcuts() {
        RandomCifarResNet net = new RandomCifarResNet(1).stage(1, 3, 16, 16, false);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 1, 3, 16, 12, 12, false);
        StageAgreement.check(program, net.normal(4 * 16 * 12 * 12, 1.0), 4, 6, 0.5, 11);
    }

    @Test
    void downsamplingStageWithOptionAShortcutOnOddInput() {
        RandomCifarResNet net = new RandomCifarResNet(2).stage(2, 2, 16, 32, false);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 2, 2, 16, 9, 9, false);
        StageAgreement.check(program, net.normal(3 * 16 * 9 * 9, 1.0), 3, 5, 0.4, 12);
    }

    @Test
    void lastStageWithConvShortcutAndHead() {
        RandomCifarResNet net =
                new RandomCifarResNet(3).stage(3, 2, 16, 32, true).linear(10, 32);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 3, 2, 16, 8, 8, true);
        StageAgreement.check(program, net.normal(8 * 16 * 8 * 8, 1.0), 8, 6, 0.6, 13);
    }

    @Test
    void maxPoolProgramFromTheBuilder() {
        RandomCifarResNet rnd = new RandomCifarResNet(4);
        SubnetProgramBuilder b = new SubnetProgramBuilder(3, 10, 10);
        var x = b.relu(b.conv("stem", b.input(), rnd.normal(8 * 3 * 9, 0.5), rnd.normal(8, 0.1), 8, 3, 1, 1, true));
        x = b.maxPool("pool", x, 3, 2, 1);
        x = b.relu(b.conv("conv", x, rnd.normal(6 * 8 * 9, 0.3), rnd.normal(6, 0.1), 6, 3, 1, 1, false));
        x = b.head("fc", x, rnd.normal(5 * 6, 0.4), rnd.normal(5, 0.1), 5);
        StageAgreement.check(b.build(x), rnd.normal(5 * 3 * 100, 1.0), 5, 4, 0.5, 14);
    }

    @Test
    void maskThatEmptiesALayerIsAnErrorNamingIt() {
        RandomCifarResNet net = new RandomCifarResNet(5).stage(2, 2, 16, 32, false);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 2, 2, 16, 8, 8, false);
        EvaluationData data = EvaluationData.of(net.normal(2 * 16 * 64, 1), 2, null, null);
        PopulationMasks masks = new PopulationMasks(2, program.numGenes());
        int g = program.groupNames().indexOf("layer2.1.conv1");
        for (int c = 0; c < program.groupSizes()[g]; ++c) masks.set(1, program.groupOffset(g) + c, false);
        try (NativeCpuEvaluator cpu = new NativeCpuEvaluator(program, data, 1)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> cpu.evaluate(masks, 2, new Objectives(2)));
            assertTrue(
                    e.getMessage().contains("individual 1") && e.getMessage().contains("layer2.1.conv1"),
                    e.getMessage());
        }
    }

    @Test
    void sizeMismatchesAreRejectedBeforeTheNativeCall() {
        RandomCifarResNet net = new RandomCifarResNet(6).stage(1, 1, 16, 16, false);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 1, 1, 16, 8, 8, false);
        EvaluationData tooSmall = EvaluationData.of(new float[16 * 64], 2, null, null);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new NativeCpuEvaluator(program, tooSmall, 1));
        assertTrue(e.getMessage().contains("input buffer holds 4096 bytes but the batch needs 8192"), e.getMessage());
        try (NativeCpuEvaluator cpu =
                new NativeCpuEvaluator(program, EvaluationData.of(new float[16 * 64], 1, null, null), 1)) {
            IllegalArgumentException genes = assertThrows(
                    IllegalArgumentException.class,
                    () -> cpu.evaluate(new PopulationMasks(1, 15), 1, new Objectives(1)));
            assertTrue(
                    genes.getMessage().contains("15 genes")
                            && genes.getMessage().contains("16"),
                    genes.getMessage());
            IllegalArgumentException pop = assertThrows(
                    IllegalArgumentException.class,
                    () -> cpu.evaluate(new PopulationMasks(2, 16), 3, new Objectives(3)));
            assertTrue(pop.getMessage().contains("masks hold 2 individuals, population is 3"), pop.getMessage());
        }
    }

    @Test
    void cudaEvaluatorWithoutDeviceSaysWhy() {
        RandomCifarResNet net = new RandomCifarResNet(7).stage(1, 1, 16, 16, false);
        SubnetProgram program = ResNetStagePrograms.cifarStage(net.sd, 1, 1, 16, 8, 8, false);
        EvaluationData data = EvaluationData.of(net.normal(16 * 64, 1), 1, null, null);
        if (NativeCudaEvaluator.isAvailable()) {
            try (NativeCudaEvaluator gpu = new NativeCudaEvaluator(program, data)) {
                Objectives o = new Objectives(1);
                gpu.evaluate(new PopulationMasks(1, program.numGenes()), 1, o);
                assertTrue(Float.isNaN(o.mse(0)), "no reference -> NaN mse");
            }
        } else {
            assertTrue(
                    NativeCudaEvaluator.unavailableReason().startsWith("no CUDA backend"),
                    NativeCudaEvaluator.unavailableReason());
            UnsupportedOperationException e =
                    assertThrows(UnsupportedOperationException.class, () -> new NativeCudaEvaluator(program, data));
            assertTrue(e.getMessage().startsWith("no CUDA backend"), e.getMessage());
        }
    }
}
