package org.emodir.gpir;

import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.features.FeatureCache;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;

/** A libtorch network's mean cross-entropy and top-1 on cached held-out features, in eval mode and in chunks. */
public final class TorchHeldOut {
    /** Held-out images per forward, to bound activation memory at large resolutions. */
    private static final int CHUNK = 128;
    /** Bound on a chunk's widest feature map (128 CIFAR images; 20 at a 224-px ResNet-50's layer1). */
    private static final long CHUNK_BYTES = 64L << 20;

    private TorchHeldOut() {}

    /** {mean cross-entropy, top-1 fraction} of blocks {@code from..} + head on the held-out features at cut {@code from}. */
    public static double[] lossAndTop1(TorchNet net, FeatureCache heldOut, int from) {
        boolean[] modes = net.modes();
        net.train(false);
        int[] chw = heldOut.shape(from);
        int[] labels = heldOut.labelArray();
        int per = heldOut.floatsPerImage(from);
        double loss = 0;
        long correct = 0;
        try (NoGradGuard g = new NoGradGuard()) {
            int chunk = Math.min(CHUNK, heldOut.imagesWithin(CHUNK_BYTES));
            for (int s = 0; s < heldOut.images(); s += chunk) {
                int m = Math.min(chunk, heldOut.images() - s);
                try (PointerScope scope = new PointerScope()) {
                    UnsafeBuffer view = heldOut.images(from, s, m);
                    Tensor logits = net.forwardHead(net.forwardBlocksFreeing(
                            from, net.spec().numBlocks(), Tensors.fromBuffer(view, m, chw[0], chw[1], chw[2])));
                    int[] y = java.util.Arrays.copyOfRange(labels, s, s + m);
                    loss += torch.cross_entropy(logits, Tensors.longs(y, m)).item_double() * m;
                    float[] l = Tensors.toFloats(logits);
                    int classes = l.length / m;
                    for (int i = 0; i < m; i++) {
                        int best = 0;
                        for (int c = 1; c < classes; c++) if (l[i * classes + c] > l[i * classes + best]) best = c;
                        if (best == y[i]) correct++;
                    }
                }
            }
        } finally {
            net.restoreModes(modes);
        }
        return new double[] {loss / heldOut.images(), (double) correct / heldOut.images()};
    }
}
