package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.emodir.data.Augmentation;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;
import org.emodir.eval.Batches;
import org.emodir.model.PrunedModel;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

class CrossNetworkTrainerTest {
    @Test
    void stageTrainingReducesFeatureMseAndLeavesTeacherAndFrozenPartsUnchanged() {
        StateDict denseWeights = TrainFixtures.resnet20Weights();
        // 60% of the MACs removed: a clear feature gap for the constraint to close.
        PrunedModel pruned = UniformBaseline.atFlops(TrainFixtures.RESNET20, denseWeights, 0.6);
        ImageDataset train = SharedFixtures.cifar("train");
        DataLoader loader = DataLoader.builder(train)
                .subset(Subsets.firstPerClass(train, 16))
                .batchSize(32)
                .shuffle(true)
                .augmentation(Augmentation.CIFAR)
                .seed(4)
                .build();
        // Measured on images the training never sees.
        DataLoader held = SharedFixtures.cifarSubset("test", 8, 40);
        List<String> log = new ArrayList<>();
        try (PointerScope scope = new PointerScope();
                TorchNet teacher = TorchNet.fromStateDict(TrainFixtures.RESNET20, denseWeights)) {
            StateDict teacherBefore = teacher.toStateDict();
            List<Tensor> teacherParams = teacher.parameters();
            double[] before = new double[3];
            try (TorchNet start = pruned.toTorchNet()) {
                for (int s = 0; s < 3; s++) before[s] = CrossNetworkTrainer.stageFeatureMse(teacher, start, s, held);
            }
            var cfg = new CrossNetworkTrainer.Config().steps(15).lr(0.01).progressEvery(5);
            StateDict trained = new CrossNetworkTrainer().train(teacher, pruned, loader, cfg, log::add);

            double[] after = new double[3];
            try (TorchNet end = TorchNet.fromStateDict(pruned.spec(), trained)) {
                for (int s = 0; s < 3; s++) after[s] = CrossNetworkTrainer.stageFeatureMse(teacher, end, s, held);
            }
            System.out.printf(
                    "held-out stage feature MSE before %s after %s%n",
                    java.util.Arrays.toString(before), java.util.Arrays.toString(after));
            for (int s = 0; s < 3; s++)
                assertTrue(after[s] < 0.9 * before[s], "stage " + s + ": " + before[s] + " -> " + after[s]);

            for (String k : teacherBefore.names()) {
                assertArrayEquals(
                        teacherBefore.get(k).data(),
                        teacher.toStateDict().get(k).data(),
                        0f,
                        "teacher " + k);
            }
            assertFalse(teacher.isTraining());
            for (Tensor p : teacherParams) assertTrue(p.requires_grad(), "teacher parameters trainable again");
            // Stem and head are never trained; BN statistics of the stem never move.
            for (String k :
                    List.of("conv1.weight", "bn1.running_mean", "bn1.running_var", "linear.weight", "linear.bias")) {
                assertArrayEquals(pruned.weights().get(k).data(), trained.get(k).data(), 0f, k);
            }
            assertFalse(
                    java.util.Arrays.equals(
                            pruned.weights().get("layer3.2.conv2.weight").data(),
                            trained.get("layer3.2.conv2.weight").data()),
                    "last stage trained");
            assertEquals(3 * 3, log.size(), "three progress lines per stage: " + log);
            assertTrue(log.get(0).startsWith("cross-network stage 0 step 5/15"), log.get(0));
        }
    }

    /** VGG: sub-network outputs are pruned; with the kept indices they are zero-filled to the teacher's width. */
    @Test
    void vggSubnetsWithPrunedOutputsTrainAgainstTheZeroFilledTeacherFeatures() {
        var vgg = org.emodir.model.NetSpec.dense("vgg16", 10);
        DataLoader loader = SharedFixtures.cifarSubset("train", 2, 20);
        java.util.Random rnd = new java.util.Random(5);
        try (PointerScope scope = new PointerScope();
                TorchNet teacher = TorchNet.random(vgg, 1)) {
            // Random BN statistics (0/1) are far from the data's; train-mode forwards move them to it, else the
            // student's
            // BN updates alone would pull it away from the eval-mode teacher.
            teacher.train(true);
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                for (int i = 0; i < 40; i++) for (var b : loader) teacher.forward(Batches.images(b));
            }
            teacher.train(false);
            StateDict dense = teacher.toStateDict();
            byte[][] masks = new byte[vgg.prunableGroups().size()][];
            for (var g : vgg.prunableGroups()) {
                masks[g.index()] = new byte[g.denseWidth()];
                for (int c = 0; c < g.denseWidth(); c++)
                    masks[g.index()][c] = (byte) (c == 0 || rnd.nextBoolean() ? 1 : 0);
            }
            PrunedModel pruned = PrunedModel.fromMasks(vgg, dense, vgg.prunableGroups(), masks);
            java.util.Map<Integer, int[]> kept = new java.util.HashMap<>();
            List<int[]> stages = new ArrayList<>();
            for (int s = 0; s < vgg.numStages(); s++) {
                int to = vgg.stageStart(s + 1);
                byte[] m = masks[vgg.outputGroup(to - 1).index()];
                kept.put(
                        to,
                        java.util.stream.IntStream.range(0, m.length)
                                .filter(c -> m[c] != 0)
                                .toArray());
                stages.add(new int[] {vgg.stageStart(s), to});
            }
            int[] first = stages.get(0);
            double before = zeroFilledMse(teacher, pruned.weights(), pruned, first, kept.get(first[1]), loader);
            var cfg = new CrossNetworkTrainer.Config()
                    .steps(12)
                    .lr(0.01)
                    .lambdaTask(0)
                    .progressEvery(0)
                    .subnets(List.of(first))
                    .keptAtCut(kept);
            StateDict trained = new CrossNetworkTrainer().train(teacher, pruned, loader, cfg, s -> {});
            double after = zeroFilledMse(teacher, trained, pruned, first, kept.get(first[1]), loader);
            System.out.printf("VGG block1 zero-filled feature MSE before %.5f after %.5f%n", before, after);
            assertTrue(after < 0.9 * before, "block1 zero-filled feature MSE " + before + " -> " + after);

            List<String> log = new ArrayList<>();
            new CrossNetworkTrainer()
                    .train(
                            teacher,
                            pruned,
                            loader,
                            new CrossNetworkTrainer.Config()
                                    .steps(1)
                                    .progressEvery(0)
                                    .subnets(stages)
                                    .keptAtCut(kept),
                            log::add);
            assertEquals(5, log.size(), log.toString());
            assertTrue(log.get(4).startsWith("cross-network stage 4 step 1/1"), log.get(4));
        }
    }

    private static double zeroFilledMse(
            TorchNet teacher, StateDict weights, PrunedModel pruned, int[] range, int[] kept, DataLoader data) {
        double sum = 0;
        int n = 0;
        try (TorchNet net = TorchNet.fromStateDict(pruned.spec(), weights);
                org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            for (var b : data) {
                Tensor x = Batches.images(b);
                Tensor t = teacher.forwardToBlock(range[1], x);
                Tensor o = CrossNetworkTrainer.zeroFilled(net.forwardToBlock(range[1], x), kept, t);
                float[] of = org.emodir.model.Tensors.toFloats(o), tf = org.emodir.model.Tensors.toFloats(t);
                int hw = (int) (t.size(2) * t.size(3));
                // zero-filled: every channel not kept is exactly zero, every kept one carries the pruned output
                java.util.Set<Integer> keptSet = new java.util.HashSet<>();
                for (int c : kept) keptSet.add(c);
                for (int i = 0; i < of.length; i++) {
                    int c = (int) ((i / hw) % t.size(1));
                    if (!keptSet.contains(c)) assertEquals(0f, of[i], 0f);
                }
                for (int i = 0; i < of.length; i++) sum += (of[i] - tf[i]) * (double) (of[i] - tf[i]);
                n += of.length;
            }
        }
        return sum / n;
    }

    @Test
    void prunedStageOutputsOfAnotherWidthAreRejected() {
        var vgg = org.emodir.model.NetSpec.dense("vgg16", 10);
        try (PointerScope scope = new PointerScope();
                TorchNet teacher = TorchNet.random(vgg, 1);
                TorchNet init = TorchNet.random(vgg, 2)) {
            PrunedModel pruned = UniformBaseline.atFlops(vgg, init.toStateDict(), 0.5);
            DataLoader loader = SharedFixtures.cifarSubset("train", 1, 10);
            var e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class,
                    () -> new CrossNetworkTrainer()
                            .train(teacher, pruned, loader, new CrossNetworkTrainer.Config().steps(1), s -> {}));
            assertTrue(
                    e.getMessage().contains("stage 0") && e.getMessage().contains("equal stage widths"),
                    e.getMessage());
        }
    }
}
