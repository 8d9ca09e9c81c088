package org.emodir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.emodir.data.DataDirs;
import org.emodir.eval.EvalResult;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.TorchNet;
import org.emodir.pipeline.PruneConfig;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

/** The embedding facade, used the way a host tool would. */
class EmoDirTest {
    @Test
    void loadsAndEvaluatesThePretrainedModel() throws Exception {
        try (TorchNet net = EmoDir.loadModel(
                EmoDir.model("resnet20", 10), DataDirs.cifar10Models().resolve(SharedFixtures.RESNET20))) {
            EvalResult r = EmoDir.evaluate(net, SharedFixtures.cifar("test"), 10);
            assertEquals(100, r.images());
            assertTrue(r.top1() > 0.6, "top-1 " + r.top1());
        }
    }

    @Test
    void evaluatorRanksAHeavilyPrunedStageAsMoreImpaired() {
        var sd = SharedFixtures.weights(SharedFixtures.RESNET20);
        SubnetProgram program = ResNetStagePrograms.cifarStage(sd, 3, 3, 32, 16, 16, false);
        Random rng = new Random(3);
        int batch = 4;
        float[] input = new float[batch * 32 * 16 * 16];
        for (int i = 0; i < input.length; i++) input[i] = Math.max(0, (float) rng.nextGaussian());
        PopulationMasks masks = new PopulationMasks(2, program.numGenes());
        Objectives out = new Objectives(2);
        float[] reference = new float[batch * program.outputSize()];
        try (PopulationEvaluator dense = EmoDir.evaluator(program, EvaluationData.of(input, batch, null, null), 1)) {
            // reference = the all-kept output, so individual 0's MSE must be 0 and the pruned one's positive
            var buf =
                    new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(2 * reference.length * 4)
                            .order(java.nio.ByteOrder.nativeOrder()));
            ((org.emodir.engine.NativeCpuEvaluator) dense).forward(masks, 1, buf);
            for (int i = 0; i < reference.length; i++) reference[i] = buf.getFloat(i * 4);
        }
        for (int g = 0; g < program.groupSizes().length; g++) {
            for (int i = 2; i < program.groupSizes()[g]; i++) masks.set(1, program.groupOffset(g) + i, false);
        }
        try (PopulationEvaluator e = EmoDir.evaluator(program, EvaluationData.of(input, batch, reference, null), 1)) {
            e.evaluate(masks, 2, out);
        }
        assertEquals(0.0, out.mse(0), 1e-9);
        assertTrue(out.mse(1) > 1e-4, "pruned MSE " + out.mse(1));
    }

    @Test
    void invalidSettingsAreRejectedByName() {
        java.nio.file.Path w = DataDirs.cifar10Models().resolve(SharedFixtures.RESNET20);
        java.nio.file.Path out = java.nio.file.Path.of("target", "facade-run");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> EmoDir.pruning()
                        .weights(w)
                        .data(DataDirs.cifar10Jpg())
                        .targetFlops(1.5)
                        .out(out)
                        .build());
        assertTrue(e.getMessage().contains("target"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> EmoDir.pruning()
                        .weights(w)
                        .data(DataDirs.cifar10Jpg())
                        .population(2)
                        .out(out)
                        .build());
        assertTrue(e.getMessage().contains("population"), e.getMessage());
        PruneConfig ok =
                EmoDir.pruning().weights(w).data(DataDirs.cifar10Jpg()).out(out).build();
        assertEquals("resnet20", ok.model());
    }
}
