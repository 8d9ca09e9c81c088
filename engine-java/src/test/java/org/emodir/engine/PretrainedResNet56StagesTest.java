package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.emodir.data.LabeledBatch;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.TorchRuntime;
import org.emodir.model.io.StateDict;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's acceptance on real data: every stage of the pretrained CIFAR-10 ResNet-56, fed the real
 * features of real test images (produced by the dense libtorch net up to that stage), computed by the
 * native CPU engine for random channel masks, against an independent libtorch forward of the same
 * masked stage. Tolerance: max |diff| <= 1e-3 x max |output|; the last stage includes the head and
 * must give identical top-1 decisions.
 */
class PretrainedResNet56StagesTest {
    private static final int BLOCKS = 9;
    private static final int IMAGES = 20;
    private static final int[][] STAGE_INPUT_CHW = {{16, 32, 32}, {16, 32, 32}, {32, 16, 16}};

    @Test
    void everyStageMatchesLibtorchOnRealFeatures() {
        TorchRuntime.init();
        StateDict sd = SharedFixtures.weights(SharedFixtures.RESNET56);
        LabeledBatch batch =
                SharedFixtures.cifarSubset("test", 2, IMAGES).iterator().next();
        try (TorchNet net = TorchNet.fromStateDict(NetSpec.dense("resnet56", 10), sd)) {
            net.train(false);
            Tensor images = Tensors.fromBuffer(batch.pixels(), batch.n(), batch.c(), batch.h(), batch.w());
            for (int s = 0; s < 3; s++) {
                float[] features = Tensors.toFloats(net.forwardUpTo(s, images));
                int[] chw = STAGE_INPUT_CHW[s];
                float[][] out = ResNetStageProgramsTest.assertStageMatches(
                        sd, s + 1, BLOCKS, chw[0], chw[1], chw[2], s == 2, features, batch.n(), 4, new Random(100 + s));
                assertTrue(out[0].length > 0);
            }
        }
    }
}
