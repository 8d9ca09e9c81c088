package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.emodir.data.Augmentation;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;
import org.emodir.eval.EvalResult;
import org.emodir.model.PrunedModel;
import org.emodir.model.io.WeightsException;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTunerTest {
    @TempDir
    Path tmp;

    private static PrunedModel halfResNet20() {
        return UniformBaseline.atFlops(TrainFixtures.RESNET20, TrainFixtures.resnet20Weights(), 0.5);
    }

    /** 80 training images, 4 batches of 20 per epoch, no augmentation: a loss that must drop when fitted. */
    private static FineTuner.Config tiny(ImageDataset train) {
        return new FineTuner.Config()
                .subset(Subsets.firstPerClass(train, 8))
                .batchSize(20)
                .augmentation(Augmentation.NONE)
                .lr(0.02)
                .seed(9)
                .threads(1)
                .progressEvery(0);
    }

    @Test
    void fineTuningLowersTheLossOnItsTrainingImagesAndCountsFractionalEpochs() {
        ImageDataset train = SharedFixtures.cifar("train");
        PrunedModel model = halfResNet20();
        FineTuner tuner = new FineTuner();
        FineTuneResult r = tuner.finetune(model, null, train, tiny(train).epochs(3), s -> {});
        assertEquals(12, r.steps());
        assertEquals(3.0, r.epochs(), 1e-12);
        double first = (r.stepLosses()[0] + r.stepLosses()[1] + r.stepLosses()[2] + r.stepLosses()[3]) / 4;
        double last = (r.stepLosses()[8] + r.stepLosses()[9] + r.stepLosses()[10] + r.stepLosses()[11]) / 4;
        System.out.printf("fine-tune epoch loss %.4f -> %.4f, %s%n", first, last, r);
        assertTrue(last < 0.8 * first, first + " -> " + last);

        FineTuneResult frac = tuner.finetune(model, null, train, tiny(train).epochs(0.6), s -> {});
        assertEquals(3, frac.steps(), "ceil(0.6 * 4 batches)");
        assertEquals(0.75, frac.epochs(), 1e-12);
    }

    @Test
    void distillationRunsWithATeacher() {
        ImageDataset train = SharedFixtures.cifar("train");
        try (var teacher =
                org.emodir.model.TorchNet.fromStateDict(TrainFixtures.RESNET20, TrainFixtures.resnet20Weights())) {
            FineTuneResult r = new FineTuner()
                    .finetune(
                            halfResNet20(),
                            teacher,
                            train,
                            tiny(train).epochs(0.5).distillAlpha(0.9),
                            s -> {});
            assertEquals(2, r.steps());
            assertTrue(Double.isFinite(r.finalTrainLoss()) && r.finalTrainLoss() > 0, r.toString());
            assertTrue(!teacher.isTraining());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new FineTuner()
                        .finetune(halfResNet20(), null, train, tiny(train).distillAlpha(0.5), s -> {}));
    }

    @Test
    void aKilledRunResumesFromItsCheckpointToTheSameResult() throws Exception {
        ImageDataset train = SharedFixtures.cifar("train");
        PrunedModel model = halfResNet20();
        FineTuner tuner = new FineTuner();
        FineTuneResult whole = tuner.finetune(model, null, train, tiny(train).epochs(2), s -> {});
        assertEquals(8, whole.steps());

        Path ckpt = tmp.resolve("finetune.ckpt");
        List<String> lines = new ArrayList<>();
        // The progress sink "crashes" after step 5: the checkpoint written at step 3 is what survives.
        var crash = assertThrows(
                IllegalStateException.class,
                () -> tuner.finetune(
                        model,
                        null,
                        train,
                        tiny(train).epochs(2).checkpoint(ckpt, 3).progressEvery(1),
                        s -> {
                            lines.add(s);
                            if (s.startsWith("fine-tune step 5/")) throw new IllegalStateException("killed");
                        }));
        assertEquals("killed", crash.getMessage());
        assertTrue(Files.isRegularFile(ckpt));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "only the checkpoint, no temporary files");
        }

        List<String> resumedLines = new ArrayList<>();
        FineTuneResult resumed = tuner.finetune(
                model, null, train, tiny(train).epochs(2).checkpoint(ckpt, 3).progressEvery(1), resumedLines::add);
        assertEquals("resumed fine-tuning at step 3 of 8 from " + ckpt, resumedLines.get(0));
        assertEquals(8 - 3 + 1, resumedLines.size(), resumedLines.toString());
        assertArrayEquals(whole.stepLosses(), resumed.stepLosses(), 1e-5f);
        for (String k : whole.weights().names()) {
            assertArrayEquals(
                    whole.weights().get(k).data(), resumed.weights().get(k).data(), 1e-5f, k);
        }

        var e = assertThrows(
                WeightsException.class,
                () -> tuner.finetune(
                        model, null, train, tiny(train).epochs(2).lr(0.5).checkpoint(ckpt, 3), s -> {}));
        assertTrue(e.getMessage().contains(ckpt.toString()) && e.getMessage().contains("another run"), e.getMessage());
    }

    @Test
    void cappedEvaluationUsesABalancedFixedSubset() {
        ImageDataset test = SharedFixtures.cifar("test");
        PrunedModel model = new PrunedModel(TrainFixtures.RESNET20, TrainFixtures.resnet20Weights());
        FineTuner tuner = new FineTuner();
        EvalResult a = tuner.evaluate(model, test, 200, 64);
        EvalResult b = tuner.evaluate(model, test, 200, 50);
        assertEquals(200, a.images());
        assertEquals(a.top1(), b.top1());
        assertTrue(a.top1() > 0.6, "pretrained ResNet-20 scores about 0.81 on these JPEGs, got " + a.top1());
    }
}
