package org.emodir.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.emodir.data.DataLoader;
import org.emodir.data.LabeledBatch;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.testdata.SharedFixtures;
import org.emodir.train.TrainFixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exported ONNX model run by onnxruntime (Java API) on real CIFAR-10 test images gives libtorch's logits and
 * top-1: physically pruned networks with odd widths of every family (the CIFAR ResNets with their pretrained weights;
 * VGG-16 and ResNet-50 with random weights and BatchNorm statistics from real images), at two batch sizes through the
 * one dynamic batch dimension.
 */
class OnnxExporterTest {
    @ParameterizedTest
    @CsvSource({"resnet20,pretrained", "resnet56,pretrained", "vgg16,random", "resnet50,random"})
    void onnxruntimeReproducesLibtorchOnRealImages(String arch, String weightsKind) throws Exception {
        NetSpec dense = NetSpec.dense(arch, 10);
        StateDict weights = weightsKind.equals("pretrained")
                ? SharedFixtures.weights(arch.equals("resnet20") ? SharedFixtures.RESNET20 : SharedFixtures.RESNET56)
                : calibratedRandom(dense);
        PrunedModel pruned =
                PrunedModel.fromMasks(dense, weights, dense.prunableGroups(), TrainFixtures.randomMasks(dense, 17));
        byte[] onnx = OnnxExporter.toBytes(pruned.spec(), pruned.weights(), 32, 32);

        DataLoader loader = SharedFixtures.cifarSubset("test", 4, 20);
        try (OrtEnvironment env = OrtEnvironment.getEnvironment();
                OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                TorchNet net = pruned.toTorchNet()) {
            assertEquals(OnnxExporter.INPUT, session.getInputNames().iterator().next());
            int batches = 0;
            for (LabeledBatch b : loader) {
                float[] x = new float[b.n() * b.c() * b.h() * b.w()];
                for (int i = 0; i < x.length; i++) x[i] = b.pixels().getFloat(i * Float.BYTES);
                float[] expected;
                try (PointerScope scope = new PointerScope();
                        NoGradGuard g = new NoGradGuard()) {
                    expected =
                            Tensors.toFloats(net.forward(Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w())));
                }
                // The first batch whole, the second split into single images: the batch dimension is dynamic.
                int step = batches == 0 ? b.n() : 1;
                for (int from = 0; from < b.n(); from += step) {
                    float[][] got = run(env, session, x, from, step, b);
                    int classes = got[0].length;
                    float scale = 1;
                    for (float v : expected) scale = Math.max(scale, Math.abs(v));
                    for (int i = 0; i < step; i++) {
                        int bestOnnx = 0, bestTorch = 0;
                        for (int k = 0; k < classes; k++) {
                            float e = expected[(from + i) * classes + k];
                            assertEquals(e, got[i][k], 1e-4f * scale, arch + " image " + (from + i) + " class " + k);
                            if (got[i][k] > got[i][bestOnnx]) bestOnnx = k;
                            if (e > expected[(from + i) * classes + bestTorch]) bestTorch = k;
                        }
                        assertEquals(bestTorch, bestOnnx, arch + " top-1 of image " + (from + i));
                    }
                }
                if (++batches == 2) break;
            }
            assertEquals(2, batches);
        }
    }

    private static float[][] run(OrtEnvironment env, OrtSession session, float[] x, int from, int n, LabeledBatch b)
            throws Exception {
        int per = b.c() * b.h() * b.w();
        FloatBuffer in = FloatBuffer.wrap(x, from * per, n * per).slice();
        try (OnnxTensor t = OnnxTensor.createTensor(env, in, new long[] {n, b.c(), b.h(), b.w()});
                OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, t))) {
            return (float[][]) r.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
        }
    }

    /** Random weights whose BatchNorm statistics come from real images, so activations stay in a normal range. */
    static StateDict calibratedRandom(NetSpec spec) {
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 7)) {
            net.train(true);
            try (NoGradGuard g = new NoGradGuard()) {
                for (int i = 0; i < 5; i++) {
                    for (var b : SharedFixtures.cifarSubset("train", 2, 20)) {
                        net.forward(Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w()));
                    }
                }
            }
            net.train(false);
            return net.toStateDict();
        }
    }
}
