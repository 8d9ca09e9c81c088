package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.MemoryBudgetException;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.TorchRuntime;
import org.emodir.model.io.StateDict;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

/**
 * A population that does not fit the memory budget is split into calls with bit-identical results; when one
 * individual on the whole image batch does not fit, the batch is split too, with objectives matching one call.
 */
class MemoryBudgetSplitTest {
    private static final int POPULATION = 13, BATCH = 5, THREADS = 2;

    private final SubnetProgram program = TinyPrograms.classifier(1);
    private final EvaluationData data = TinyPrograms.data(program, BATCH, 2);

    @Test
    void scratchIsAffineInThePopulation() {
        try (NativeCpuEvaluator e =
                new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE))) {
            long one = e.scratchBytes(1), perExtra = e.scratchBytes(2) - one;
            assertTrue(one > 0 && perExtra > 0, one + " / " + perExtra);
            assertEquals(one + 12 * perExtra, e.scratchBytes(13));
            assertEquals(POPULATION, e.individualsPerCall(POPULATION));
        }
    }

    @Test
    void tinyBudgetSplitsThePopulationWithIdenticalObjectives() {
        PopulationMasks masks = randomMasks(new Random(3));
        Objectives whole = new Objectives(POPULATION), split = new Objectives(POPULATION);
        try (NativeCpuEvaluator big =
                new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE))) {
            big.evaluate(masks, POPULATION, whole);
            MemoryBudget twoAtATime = MemoryBudget.ofBytes(big.scratchBytes(2));
            try (NativeCpuEvaluator small = new NativeCpuEvaluator(program, data, THREADS, twoAtATime)) {
                assertEquals(2, small.individualsPerCall(POPULATION));
                small.evaluate(masks, POPULATION, split);
            }
        }
        for (int i = 0; i < POPULATION; ++i) {
            for (int k = 0; k < Objectives.COUNT; ++k) {
                assertEquals(
                        Float.floatToRawIntBits(whole.get(i, k)),
                        Float.floatToRawIntBits(split.get(i, k)),
                        "individual " + i + " objective " + k);
            }
        }
        assertTrue(whole.mse(0) > 0 || whole.mse(1) > 0, "random masks must change the output");
    }

    @Test
    void splitForwardWritesEveryIndividualsOutputsInPlace() {
        PopulationMasks masks = randomMasks(new Random(4));
        int floats = POPULATION * BATCH * program.outputSize();
        UnsafeBuffer whole = EvaluationData.floats(new float[floats]), split = EvaluationData.floats(new float[floats]);
        try (NativeCpuEvaluator big =
                        new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE));
                NativeCpuEvaluator small =
                        new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(big.scratchBytes(3)))) {
            big.forward(masks, POPULATION, whole);
            small.forward(masks, POPULATION, split);
            assertEquals(3, small.individualsPerCall(POPULATION));
        }
        for (int i = 0; i < floats; ++i) {
            assertEquals(whole.getInt(i * Float.BYTES), split.getInt(i * Float.BYTES), "output float " + i);
        }
    }

    @Test
    void anIndividualThatCannotFitOnOneImageIsRefusedWithBytesNeededAndBudget() {
        try (NativeCpuEvaluator probe =
                new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE))) {
            long oneImage = probe.scratchBytes(1, 1);
            try (NativeCpuEvaluator e =
                    new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(oneImage - 1))) {
                MemoryBudgetException ex = assertThrows(
                        MemoryBudgetException.class,
                        () -> e.evaluate(randomMasks(new Random(5)), POPULATION, new Objectives(POPULATION)));
                assertTrue(
                        ex.getMessage().contains(oneImage + " bytes for a single individual on a single image")
                                && ex.getMessage().contains("budget is " + (oneImage - 1) + " bytes"),
                        ex.getMessage());
                assertThrows(
                        MemoryBudgetException.class,
                        () -> e.forward(
                                randomMasks(new Random(5)),
                                POPULATION,
                                EvaluationData.floats(new float[POPULATION * BATCH * program.outputSize()])));
            }
            // One byte more and it runs, one image per call.
            try (NativeCpuEvaluator e =
                    new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(oneImage))) {
                assertEquals(1, e.imagesPerCall(POPULATION));
                assertEquals(1, e.individualsPerCall(POPULATION));
                Objectives whole = new Objectives(POPULATION), split = new Objectives(POPULATION);
                probe.evaluate(randomMasks(new Random(5)), POPULATION, whole);
                e.evaluate(randomMasks(new Random(5)), POPULATION, split);
                assertObjectivesMatch(whole, split, POPULATION);
            }
        }
    }

    /**
     * One individual on the whole batch does not fit: the batch is evaluated in image sub-batches whose
     * objectives combine to those of one call. Tolerance: MSE and cross-entropy are means of float-rounded
     * sub-batch means, so they may differ from the one-call float by a few ulp; asserted within 1e-5 relative.
     * Top-1 is a count and must be equal.
     */
    @Test
    void aBudgetBelowOneIndividualSplitsTheImageBatchWithMatchingObjectives() {
        int batch = 37, population = 9; // 37 images: the last sub-batch is shorter
        for (long seed = 11; seed < 14; ++seed) {
            SubnetProgram p = TinyPrograms.classifier(seed);
            EvaluationData d = TinyPrograms.data(p, batch, seed + 100);
            PopulationMasks masks = randomMasks(new Random(seed), p, population);
            Objectives whole = new Objectives(population), split = new Objectives(population);
            try (NativeCpuEvaluator big = new NativeCpuEvaluator(p, d, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE))) {
                big.evaluate(masks, population, whole);
                assertTrue(big.scratchBytes(1, 7) < big.scratchBytes(1, 8), "scratch grows with the images");
                for (int images : new int[] {1, 7, 18, 36}) {
                    try (NativeCpuEvaluator small =
                            new NativeCpuEvaluator(p, d, THREADS, MemoryBudget.ofBytes(big.scratchBytes(1, images)))) {
                        assertEquals(images, small.imagesPerCall(population), "largest sub-batch that fits");
                        small.evaluate(masks, population, split);
                    }
                    assertObjectivesMatch(whole, split, population);
                }
            }
            for (int i = 0; i < population; ++i) {
                assertTrue(
                        !Float.isNaN(whole.mse(i)) && !Float.isNaN(whole.crossEntropy(i)), "all objectives are used");
            }
            assertTrue(whole.mse(1) > 0 || whole.mse(2) > 0, "random masks must change the output");
        }
    }

    @Test
    void missingReferenceAndLabelsStayNaNWhenTheImageBatchIsSplit() {
        int batch = 12;
        EvaluationData d = TinyPrograms.data(program, batch, 7);
        EvaluationData inputOnly = new EvaluationData(d.input(), batch, null, null);
        Objectives split = new Objectives(POPULATION);
        try (NativeCpuEvaluator probe =
                        new NativeCpuEvaluator(program, inputOnly, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE));
                NativeCpuEvaluator e = new NativeCpuEvaluator(
                        program, inputOnly, THREADS, MemoryBudget.ofBytes(probe.scratchBytes(1, 5)))) {
            assertEquals(5, e.imagesPerCall(POPULATION));
            e.evaluate(randomMasks(new Random(8)), POPULATION, split);
        }
        for (int i = 0; i < POPULATION; ++i) {
            for (int k = 0; k < Objectives.COUNT; ++k)
                assertTrue(Float.isNaN(split.get(i, k)), "individual " + i + " objective " + k);
        }
    }

    @Test
    void imageSplitForwardWritesEveryOutputInPlaceBitIdentically() {
        int batch = 11;
        EvaluationData d = TinyPrograms.data(program, batch, 6);
        PopulationMasks masks = randomMasks(new Random(9));
        int floats = POPULATION * batch * program.outputSize();
        UnsafeBuffer whole = EvaluationData.floats(new float[floats]), split = EvaluationData.floats(new float[floats]);
        try (NativeCpuEvaluator big =
                        new NativeCpuEvaluator(program, d, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE));
                NativeCpuEvaluator small =
                        new NativeCpuEvaluator(program, d, THREADS, MemoryBudget.ofBytes(big.scratchBytes(1, 4)))) {
            big.forward(masks, POPULATION, whole);
            small.forward(masks, POPULATION, split);
            assertEquals(4, small.imagesPerCall(POPULATION));
        }
        for (int i = 0; i < floats; ++i) {
            assertEquals(whole.getInt(i * Float.BYTES), split.getInt(i * Float.BYTES), "output float " + i);
        }
    }

    /**
     * The real case: the last stage (with head) of the pretrained CIFAR-10 ResNet-56 on the dense net's features
     * of 20 real test images, their labels, and the unpruned stage's outputs as reference; a budget of 6 images
     * per call gives sub-batches 6, 6, 6, 2 whose combined objectives match one call (same tolerance as above).
     */
    @Test
    void pretrainedResNet56LastStageSplitOverImagesMatchesOneCall() {
        TorchRuntime.init();
        StateDict sd = SharedFixtures.weights(SharedFixtures.RESNET56);
        LabeledBatch batch =
                SharedFixtures.cifarSubset("test", 2, 20).iterator().next();
        float[] features;
        try (TorchNet net = TorchNet.fromStateDict(NetSpec.dense("resnet56", 10), sd)) {
            net.train(false);
            features = Tensors.toFloats(
                    net.forwardUpTo(2, Tensors.fromBuffer(batch.pixels(), batch.n(), batch.c(), batch.h(), batch.w())));
        }
        int n = batch.n(), population = 6;
        int[] labels = java.util.Arrays.copyOf(batch.labels(), n);
        SubnetProgram stage = ResNetStagePrograms.cifarStage(sd, 3, 9, 32, 16, 16, true);
        float[] reference = new float[n * stage.outputSize()];
        try (NativeCpuEvaluator dense =
                new NativeCpuEvaluator(stage, EvaluationData.of(features, n, null, null), THREADS)) {
            UnsafeBuffer out = EvaluationData.floats(reference);
            dense.forward(new PopulationMasks(1, stage.numGenes()), 1, out);
            for (int i = 0; i < reference.length; ++i) reference[i] = out.getFloat(i * Float.BYTES);
        }
        EvaluationData d = EvaluationData.of(features, n, reference, labels);
        PopulationMasks masks = randomMasks(new Random(56), stage, population);
        for (int g = 0; g < stage.numGenes(); ++g) masks.set(0, g, true); // individual 0 unpruned: MSE 0
        Objectives whole = new Objectives(population), split = new Objectives(population);
        try (NativeCpuEvaluator big = new NativeCpuEvaluator(stage, d, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE));
                NativeCpuEvaluator small =
                        new NativeCpuEvaluator(stage, d, THREADS, MemoryBudget.ofBytes(big.scratchBytes(1, 6)))) {
            big.evaluate(masks, population, whole);
            assertEquals(6, small.imagesPerCall(population));
            small.evaluate(masks, population, split);
        }
        assertObjectivesMatch(whole, split, population);
        assertEquals(0f, whole.mse(0));
        assertTrue(whole.top1(0) >= 0.6f * n, "pretrained ResNet-56 classifies most of its features: " + whole.top1(0));
        assertTrue(whole.mse(1) > 0 && whole.crossEntropy(1) > 0, "a pruned individual has a positive loss");
    }

    /** MSE and cross-entropy within 1e-5 relative (or both 0), top-1 counts equal, NaN where NaN. */
    private static void assertObjectivesMatch(Objectives whole, Objectives split, int population) {
        for (int i = 0; i < population; ++i) {
            for (int k = 0; k < Objectives.COUNT; ++k) {
                float a = whole.get(i, k), b = split.get(i, k);
                String what = "individual " + i + " objective " + k + ": one call " + a + ", split " + b;
                if (Float.isNaN(a) || k == Objectives.TOP1) {
                    assertEquals(Float.floatToRawIntBits(a), Float.floatToRawIntBits(b), what);
                } else {
                    assertEquals(a, b, 1e-5 * Math.abs(a), what);
                }
            }
        }
    }

    @Test
    void directBuffersAboveTheConfiguredBudgetAreRefusedBeforeAllocation() {
        String previous = System.getProperty(MemoryBudget.PROPERTY);
        System.setProperty(MemoryBudget.PROPERTY, "1000");
        try {
            MemoryBudgetException ex = assertThrows(MemoryBudgetException.class, () -> new Objectives(1000));
            assertTrue(
                    ex.getMessage().contains("12000 bytes") && ex.getMessage().contains("1000 bytes"), ex.getMessage());
            assertThrows(MemoryBudgetException.class, () -> new PopulationMasks(100, 11));
            assertEquals(83, new Objectives(83).capacity()); // 996 bytes fit
        } finally {
            if (previous == null) System.clearProperty(MemoryBudget.PROPERTY);
            else System.setProperty(MemoryBudget.PROPERTY, previous);
        }
    }

    @Test
    void malformedBudgetPropertyNamesTheProperty() {
        String previous = System.getProperty(MemoryBudget.PROPERTY);
        System.setProperty(MemoryBudget.PROPERTY, "lots");
        try {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, MemoryBudget::host);
            assertTrue(
                    ex.getMessage().contains(MemoryBudget.PROPERTY)
                            && ex.getMessage().contains("lots"),
                    ex.getMessage());
        } finally {
            if (previous == null) System.clearProperty(MemoryBudget.PROPERTY);
            else System.setProperty(MemoryBudget.PROPERTY, previous);
        }
    }

    /** Random masks keeping at least one channel per layer. */
    private PopulationMasks randomMasks(Random r) {
        return randomMasks(r, program, POPULATION);
    }

    private static PopulationMasks randomMasks(Random r, SubnetProgram program, int population) {
        PopulationMasks masks = new PopulationMasks(population, program.numGenes());
        for (int i = 0; i < population; ++i) {
            for (int g = 0; g < program.numGenes(); ++g) masks.set(i, g, r.nextInt(3) != 0);
            for (int group = 0; group < program.groupSizes().length; ++group)
                masks.set(i, program.groupOffset(group), true);
        }
        return masks;
    }
}
