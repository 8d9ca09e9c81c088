package org.emodir.internal.features;

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
 * native order): feature 0 is the stem output (= input of stage 0), feature {@code s+1} the output of
 * stage {@code s}. Sub-network searches read their input and dense reference from here instead of
 * re-running the network for every candidate.
 */
public final class FeatureCache {
    private final int images;
    private final int[][] shapes;
    private final UnsafeBuffer[] features;
    private final UnsafeBuffer labels;
    private final int[] labelArray;

    private FeatureCache(int images, int[][] shapes, UnsafeBuffer[] features, int[] labels) {
        this.images = images;
        this.shapes = shapes;
        this.features = features;
        this.labelArray = labels;
        this.labels = EvaluationData.ints(labels);
    }

    /** Runs {@code dense} (eval mode) over {@code indices} of {@code data} in batches of {@code batchSize}. */
    public static FeatureCache build(TorchNet dense, ImageDataset data, int[] indices, int batchSize, Consumer<String> log) {
        if (indices.length == 0) throw new IllegalArgumentException("feature cache needs at least one image");
        int stages = dense.spec().numStages();
        DataLoader loader = DataLoader.builder(data).subset(indices).batchSize(batchSize).shuffle(false).build();
        UnsafeBuffer[] features = new UnsafeBuffer[stages + 1];
        int[][] shapes = new int[stages + 1][];
        int[] labels = new int[indices.length];
        boolean[] modes = dense.modes();
        dense.train(false);
        int done = 0;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (LabeledBatch b : loader) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = dense.forwardStem(Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w()));
                    for (int f = 0; f <= stages; f++) {
                        if (f > 0) h = dense.forwardStage(f - 1, h);
                        long[] shape = Tensors.shape(h);
                        if (features[f] == null) {
                            shapes[f] = new int[] {(int) shape[1], (int) shape[2], (int) shape[3]};
                            long bytes = (long) indices.length * shape[1] * shape[2] * shape[3] * Float.BYTES;
                            features[f] = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.toIntExact(bytes))
                                    .order(ByteOrder.nativeOrder()));
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
        if (log != null) log.accept("features: " + done + " images cached at " + (stages + 1) + " points");
        return new FeatureCache(done, shapes, features, labels);
    }

    public int images() {
        return images;
    }

    /** Feature {@code f}: 0 = stem output, {@code s+1} = output of stage {@code s}. */
    public UnsafeBuffer feature(int f) {
        return features[f];
    }

    /** {C, H, W} of feature {@code f}. */
    public int[] shape(int f) {
        return shapes[f].clone();
    }

    public int floatsPerImage(int f) {
        return shapes[f][0] * shapes[f][1] * shapes[f][2];
    }

    public UnsafeBuffer labels() {
        return labels;
    }

    public int[] labelArray() {
        return labelArray.clone();
    }

    /** Mean of the squared values of feature {@code f}: the scale that normalises an MSE on it. */
    public double meanSquare(int f) {
        UnsafeBuffer b = features[f];
        long n = (long) images * floatsPerImage(f);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double v = b.getFloat((int) (i * Float.BYTES));
            sum += v * v;
        }
        return sum / n;
    }
}
