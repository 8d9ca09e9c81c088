package org.emodir.features;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.EvaluationData;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;

/**
 * The dense network's features on a fixed image subset, computed once and kept off-heap (float32 NCHW,
 * native order) at a set of cuts: the feature at cut {@code b} is the input of global block {@code b}
 * ({@link org.emodir.model.NetSpec#numBlocks()} numbering; cut 0 = the stem output, cut {@code numBlocks} = the
 * last block's output). Sub-network searches read their input and dense reference from here instead of
 * re-running the network for every candidate.
 */
public final class FeatureCache {
    private final int images;
    private final int[] cuts;
    private final int[][] shapes;
    private final UnsafeBuffer[] features;
    private final UnsafeBuffer labels;
    private final int[] labelArray;

    private FeatureCache(int images, int[] cuts, int[][] shapes, UnsafeBuffer[] features, int[] labels) {
        this.images = images;
        this.cuts = cuts;
        this.shapes = shapes;
        this.features = features;
        this.labelArray = labels;
        this.labels = EvaluationData.ints(labels);
    }

    /** Features at every stage boundary (cuts {@code stageStart(0..numStages)}). */
    public static FeatureCache build(
            TorchNet dense, ImageDataset data, int[] indices, int batchSize, Consumer<String> log) {
        int[] cuts = new int[dense.spec().numStages() + 1];
        for (int s = 0; s < cuts.length; s++) cuts[s] = dense.spec().stageStart(s);
        return build(dense, data, indices, batchSize, cuts, log);
    }

    /** Runs {@code dense} (eval mode) over {@code indices} of {@code data} in batches, keeping the features at {@code cuts}. */
    public static FeatureCache build(
            TorchNet dense, ImageDataset data, int[] indices, int batchSize, int[] cuts, Consumer<String> log) {
        if (indices.length == 0) throw new IllegalArgumentException("feature cache needs at least one image");
        int[] sorted = java.util.Arrays.stream(cuts).distinct().sorted().toArray();
        int blocks = dense.spec().numBlocks();
        if (sorted.length == 0 || sorted[0] < 0 || sorted[sorted.length - 1] > blocks) {
            throw new IllegalArgumentException(
                    "feature cuts " + java.util.Arrays.toString(cuts) + " outside 0.." + blocks);
        }
        DataLoader loader = DataLoader.builder(data)
                .subset(indices)
                .batchSize(batchSize)
                .shuffle(false)
                .build();
        UnsafeBuffer[] features = new UnsafeBuffer[sorted.length];
        int[][] shapes = new int[sorted.length][];
        int[] labels = new int[indices.length];
        boolean[] modes = dense.modes();
        dense.train(false);
        int done = 0;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (LabeledBatch b : loader) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = dense.forwardStem(Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w()));
                    int at = 0;
                    for (int f = 0; f < sorted.length; f++) {
                        h = dense.forwardBlocks(at, sorted[f], h);
                        at = sorted[f];
                        long[] shape = Tensors.shape(h);
                        if (features[f] == null) {
                            shapes[f] = new int[] {(int) shape[1], (int) shape[2], (int) shape[3]};
                            long bytes = (long) indices.length * shape[1] * shape[2] * shape[3] * Float.BYTES;
                            if (bytes > Integer.MAX_VALUE) {
                                // One off-heap buffer per cut, int-indexed (Agrona): 2 GiB at most.
                                throw new IllegalArgumentException("feature cache: " + indices.length + " images x "
                                        + shape[1] + "x" + shape[2] + "x" + shape[3] + " floats at block " + sorted[f]
                                        + " need "
                                        + bytes
                                        + " bytes, over the 2 GiB a cut may hold; use fewer calibration or held-out"
                                        + " images per class (at most " + (Integer.MAX_VALUE / (bytes / indices.length))
                                        + " images)");
                            }
                            features[f] = new UnsafeBuffer(
                                    ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()));
                        }
                        float[] v = Tensors.toFloats(h);
                        int per = v.length / b.n();
                        UnsafeBuffer dst = features[f];
                        long base = (long) done * per * Float.BYTES;
                        for (int i = 0; i < v.length; i++) dst.putFloat((int) (base + (long) i * Float.BYTES), v[i]);
                    }
                }
                System.arraycopy(b.labels(), 0, labels, done, b.n());
                done += b.n();
            }
        } finally {
            dense.restoreModes(modes);
        }
        if (log != null) log.accept("features: " + done + " images cached at " + sorted.length + " cuts");
        return new FeatureCache(done, sorted, shapes, features, labels);
    }

    public int images() {
        return images;
    }

    /** The cached cuts, ascending. */
    public int[] cuts() {
        return cuts.clone();
    }

    private int slot(int cut) {
        int i = java.util.Arrays.binarySearch(cuts, cut);
        if (i < 0)
            throw new IllegalArgumentException(
                    "no feature cached at block " + cut + "; cuts " + java.util.Arrays.toString(cuts));
        return i;
    }

    /** The input of global block {@code cut} (the network's last block output for {@code cut = numBlocks}). */
    public UnsafeBuffer feature(int cut) {
        return features[slot(cut)];
    }

    /** {C, H, W} of the feature at {@code cut}. */
    public int[] shape(int cut) {
        return shapes[slot(cut)].clone();
    }

    public int floatsPerImage(int cut) {
        int[] s = shapes[slot(cut)];
        return s[0] * s[1] * s[2];
    }

    public UnsafeBuffer labels() {
        return labels;
    }

    public int[] labelArray() {
        return labelArray.clone();
    }

    /** Mean of the squared values of the feature at {@code cut}: the scale that normalises an MSE on it. */
    public double meanSquare(int cut) {
        UnsafeBuffer b = feature(cut);
        long n = (long) images * floatsPerImage(cut);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double v = b.getFloat((int) (i * Float.BYTES));
            sum += v * v;
        }
        return sum / n;
    }
}
