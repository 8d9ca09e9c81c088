package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.Batches;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.junit.jupiter.api.Test;

/** Gradient accumulation over micro-batches gives the whole batch's gradient; small-image batches stay whole. */
class MicroBatchesTest {
    @Test
    void largeImagesAreSplitAndCifarBatchesAreNot() {
        assertEquals(16, TorchNet.trainingImages(224, 224));
        assertEquals(806, TorchNet.trainingImages(32, 32));
        LabeledBatch b = batch(40, 8, 1);
        assertSame(b, MicroBatches.of(b).get(0));
        List<LabeledBatch> parts = MicroBatches.of(b, 16);
        assertArrayEquals(
                new int[] {16, 16, 8}, parts.stream().mapToInt(LabeledBatch::n).toArray());
        // A slice shares the pixels and carries its own labels and indices.
        LabeledBatch last = parts.get(2);
        assertEquals(
                b.pixels().getFloat(32 * 3 * 8 * 8 * Float.BYTES), last.pixels().getFloat(0));
        assertEquals(b.labels()[39], last.labels()[7]);
        assertEquals(39, last.indices()[7]);
        assertThrows(IndexOutOfBoundsException.class, () -> b.slice(30, 11));
    }

    @Test
    void weightedMicroBatchGradientsSumToTheWholeBatchGradient() {
        LabeledBatch b = batch(10, 16, 2);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(NetSpec.dense("resnet20", 10), 3)) {
            net.train(false); // running BN statistics: the loss is then a plain mean over images
            float[] whole = gradient(net, List.of(b), b);
            float[] accumulated = gradient(net, MicroBatches.of(b, 4), b);
            assertEquals(whole.length, accumulated.length);
            double maxAbs = 0;
            for (float v : whole) maxAbs = Math.max(maxAbs, Math.abs(v));
            for (int i = 0; i < whole.length; i++) {
                assertEquals(whole[i], accumulated[i], 1e-4 * maxAbs, "gradient element " + i);
            }
        }
    }

    private static float[] gradient(TorchNet net, List<LabeledBatch> parts, LabeledBatch whole) {
        List<Tensor> params = net.parameters();
        for (Tensor p : params) {
            p.set_requires_grad(true);
            if (p.grad().defined()) p.grad().zero_();
        }
        for (LabeledBatch part : parts) {
            try (PointerScope s = new PointerScope()) {
                Tensor l = torch.cross_entropy_loss(
                        net.forward(Batches.images(part)), Batches.labels(part), new TensorOptional(), 1, -100, 0.0);
                l.mul(new Scalar(MicroBatches.weight(part, whole))).backward();
            }
        }
        Tensor first = params.get(0).grad();
        return Tensors.toFloats(first);
    }

    private static LabeledBatch batch(int n, int size, int seed) {
        java.util.Random r = new java.util.Random(seed);
        int floats = n * 3 * size * size;
        UnsafeBuffer px = new UnsafeBuffer(
                java.nio.ByteBuffer.allocateDirect(floats * Float.BYTES).order(java.nio.ByteOrder.nativeOrder()));
        for (int i = 0; i < floats; i++) px.putFloat(i * Float.BYTES, (float) r.nextGaussian());
        int[] labels = new int[n];
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(10);
            indices[i] = i;
        }
        return new LabeledBatch(px, labels, indices, n, 3, size, size);
    }
}
