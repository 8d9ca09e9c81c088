package org.emodir.eval;

import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.emodir.data.LabeledBatch;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;

/** Top-1/top-5 accuracy and mean cross-entropy of a network in eval mode (BN running statistics). */
public final class Evaluator {
    private static final int TOP_K = 5;
    private final int progressEvery;
    private final Consumer<String> log;

    /** Progress line every {@code progressEvery} batches (0: none) to {@code log}. */
    public Evaluator(int progressEvery, Consumer<String> log) {
        this.progressEvery = progressEvery;
        this.log = log;
    }

    public Evaluator() {
        this(0, s -> {});
    }

    public EvalResult evaluate(TorchNet net, Iterable<LabeledBatch> data) {
        boolean[] modes = net.modes();
        net.train(false);
        try (NoGradGuard noGrad = new NoGradGuard()) {
            return evaluate(
                    b -> {
                        try (PointerScope scope = new PointerScope()) {
                            return logitsInChunks(net, Batches.images(b));
                        }
                    },
                    data);
        } finally {
            net.restoreModes(modes);
        }
    }

    /**
     * Logits of a batch, forwarded {@link TorchNet#inferenceImages} images at a time with each block's intermediates
     * freed: a 250-image batch at 224 px would otherwise hold over 30 GB of activations.
     */
    static float[] logitsInChunks(TorchNet net, Tensor images) {
        int n = Math.toIntExact(images.size(0));
        int step = TorchNet.inferenceImages(Math.toIntExact(images.size(2)), Math.toIntExact(images.size(3)));
        if (n <= step) return Tensors.toFloats(net.forwardFreeing(images));
        float[] out = null;
        for (int off = 0; off < n; off += step) {
            try (PointerScope chunk = new PointerScope()) {
                float[] part = Tensors.toFloats(net.forwardFreeing(images.narrow(0, off, Math.min(step, n - off))));
                int classes = part.length / Math.min(step, n - off);
                if (out == null) out = new float[n * classes];
                System.arraycopy(part, 0, out, off * classes, part.length);
            }
        }
        return out;
    }

    /** The same figures for any engine that turns a batch into logits {@code [n][classes]}. */
    public EvalResult evaluate(BatchLogits model, Iterable<LabeledBatch> data) {
        long start = System.nanoTime();
        long images = 0;
        long correct1 = 0;
        long correct5 = 0;
        double lossSum = 0;
        int batches = 0;
        for (LabeledBatch b : data) {
            float[] logits = model.logits(b);
            int classes = logits.length / b.n();
            for (int i = 0; i < b.n(); i++) {
                int label = b.labels()[i];
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException(
                            "label " + label + " of image " + b.indices()[i] + " outside 0.." + (classes - 1));
                }
                int rank = rankOfLabel(logits, i * classes, classes, label);
                if (rank == 0) correct1++;
                if (rank < TOP_K) correct5++;
                lossSum += crossEntropy(logits, i * classes, classes, label);
            }
            images += b.n();
            batches++;
            if (progressEvery > 0 && batches % progressEvery == 0) {
                double s = (System.nanoTime() - start) / 1e9;
                log.accept(String.format(
                        "eval %d images, top1 %.4f, %.0f img/s", images, (double) correct1 / images, images / s));
            }
        }
        if (images == 0) throw new IllegalArgumentException("evaluation data set is empty");
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EvalResult(
                (double) correct1 / images, (double) correct5 / images, images, seconds, lossSum / images);
    }

    /** Number of classes scoring strictly higher than the label (ties count in the label's favour). */
    private static int rankOfLabel(float[] logits, int off, int classes, int label) {
        float v = logits[off + label];
        int rank = 0;
        for (int c = 0; c < classes; c++) if (logits[off + c] > v) rank++;
        return rank;
    }

    private static double crossEntropy(float[] logits, int off, int classes, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) max = Math.max(max, logits[off + c]);
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Math.exp(logits[off + c] - max);
        return Math.log(sum) + max - logits[off + label];
    }
}
