package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.data.DataLoader;
import org.emodir.data.LabeledBatch;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

class TrainerTest {
    /** 40 training JPEGs (4 per class) in batches of 20, served {@code repeats} times as ONE epoch. */
    private static Iterable<LabeledBatch> tinyEpoch(int repeats) {
        DataLoader tiny = SharedFixtures.cifarSubset("train", 4, 20);
        return () -> new Iterator<>() {
            int round = 0;
            Iterator<LabeledBatch> it = tiny.iterator();

            public boolean hasNext() {
                return it.hasNext() || round + 1 < repeats;
            }

            public LabeledBatch next() {
                if (!it.hasNext()) {
                    round++;
                    it = tiny.iterator();
                }
                return it.next();
            }
        };
    }

    @Test
    void oneEpochOnTinyDataReducesTheLoss() {
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        List<Double> batchLoss = new ArrayList<>();
        try (TorchNet net = TorchNet.random(NetSpec.dense("resnet20", 10), 21)) {
            Trainer.Config cfg = new Trainer.Config()
                    .epochs(1)
                    .schedule(LrSchedule.constant(0.05))
                    .labelSmoothing(0.1)
                    .progress(2, progress::add)
                    .extraLoss((trace, x, b) -> {
                        batchLoss.add(
                                (double) torch.cross_entropy_loss(trace.logits(), Tensors.longs(b.labels(), b.n()))
                                        .item_float());
                        return torch.zeros(1).sum();
                    });
            List<Trainer.EpochStats> h = new Trainer(cfg).train(net, tinyEpoch(8));
            assertEquals(1, h.size());
            assertEquals(16, batchLoss.size());
            double first = (batchLoss.get(0) + batchLoss.get(1)) / 2;
            double last = (batchLoss.get(14) + batchLoss.get(15)) / 2;
            System.out.printf("tiny training: loss %.3f -> %.3f%n", first, last);
            assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
            assertEquals(8, progress.size());
            assertTrue(progress.get(0).contains("lr 0.05000") && progress.get(0).contains("img/s"), progress.get(0));
            assertFalse(net.isTraining(), "mode restored");
        }
    }

    @Test
    void stageOnlyTrainingWithFeatureMatchingLeavesOtherStagesUntouched() {
        NetSpec spec = NetSpec.dense("resnet20", 10);
        try (PointerScope scope = new PointerScope();
                TorchNet teacher = TorchNet.random(spec, 31);
                TorchNet student = TorchNet.random(spec, 32)) {
            float[] stage0Before = Tensors.toFloats(student.tensor("layer1.0.conv1.weight"));
            float[] linearBefore = Tensors.toFloats(student.tensor("linear.weight"));
            float[] stage1Before = Tensors.toFloats(student.tensor("layer2.1.conv2.weight"));
            float[] stage0BnBefore = Tensors.toFloats(student.tensor("layer1.2.bn2.running_mean"));
            float[] stage1BnBefore = Tensors.toFloats(student.tensor("layer2.2.bn2.running_mean"));
            List<Double> mse = new ArrayList<>();
            double lambda = 10;
            Trainer.Config cfg = new Trainer.Config()
                    .epochs(2)
                    .schedule(LrSchedule.step(0.02, 0.1, 1))
                    .nesterov(true)
                    .onlyStage(1)
                    .progress(0, s -> {})
                    .distill(teacher, 4, 0.5)
                    .extraLoss((trace, x, b) -> {
                        Tensor target;
                        try (var ng = new org.bytedeco.pytorch.NoGradGuard()) {
                            target = teacher.forwardUpTo(2, x);
                        }
                        Tensor m = torch.mse_loss(trace.stageOutputs().get(1), target);
                        mse.add((double) m.item_float());
                        return m.mul(new Scalar(lambda));
                    });
            List<Trainer.EpochStats> h = new Trainer(cfg).train(student, tinyEpoch(1));
            assertEquals(0.02, h.get(0).lr(), 1e-12);
            assertEquals(0.002, h.get(1).lr(), 1e-12);
            assertArrayEquals(
                    stage0Before, Tensors.toFloats(student.tensor("layer1.0.conv1.weight")), 0f, "frozen stage 0");
            assertArrayEquals(linearBefore, Tensors.toFloats(student.tensor("linear.weight")), 0f, "frozen head");
            assertFalse(
                    java.util.Arrays.equals(stage1Before, Tensors.toFloats(student.tensor("layer2.1.conv2.weight"))),
                    "stage 1 must be trained");
            assertArrayEquals(
                    stage0BnBefore,
                    Tensors.toFloats(student.tensor("layer1.2.bn2.running_mean")),
                    0f,
                    "frozen BN stats");
            assertFalse(
                    java.util.Arrays.equals(
                            stage1BnBefore, Tensors.toFloats(student.tensor("layer2.2.bn2.running_mean"))),
                    "stage 1 BN statistics must be updated");
            assertTrue(student.tensor("layer1.0.conv1.weight").requires_grad(), "frozen tensors restored to trainable");
            assertFalse(student.isTraining(), "modes restored");
            assertTrue(mse.get(mse.size() - 1) < mse.get(0), "feature MSE " + mse);
        }
    }
}
