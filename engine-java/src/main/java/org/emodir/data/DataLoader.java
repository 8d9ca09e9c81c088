package org.emodir.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Mini-batches of a dataset (or a subset of its indices) as {@link LabeledBatch}es. Every batch is
 * written into the same off-heap float32 NCHW buffer and the same label/index arrays, so a consumer
 * must finish with a batch before asking for the next one, and only one iteration may run at a time.
 * Order and augmentation are a pure function of (seed, epoch): call {@link #setEpoch(int)} to move on.
 */
public final class DataLoader implements Iterable<LabeledBatch> {
    private final BatchAssembler assembler;
    private final int[] subset;
    private final int[] order;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Augmentation augmentation;
    private final long seed;
    private final UnsafeBuffer pixels;
    private final int[] labels;
    private final int[] indices;
    private int epoch;

    private DataLoader(Builder b) {
        this.assembler = new BatchAssembler(b.dataset, b.normalization);
        this.subset = b.subset != null ? b.subset.clone() : Subsets.all(b.dataset);
        for (int i : subset) {
            Objects.checkIndex(i, b.dataset.size());
        }
        this.order = new int[subset.length];
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.augmentation = b.augmentation;
        this.seed = b.seed;
        long bytes = (long) batchSize * assembler.imageBytes();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch of " + batchSize + " images of " + b.dataset.geometry()
                    + " needs " + bytes + " bytes, more than one 2 GiB buffer");
        }
        this.pixels = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int) bytes, 64));
        this.labels = new int[batchSize];
        this.indices = new int[batchSize];
    }

    public static Builder builder(ImageDataset dataset) {
        return new Builder(dataset);
    }

    /** Selects the shuffle order and augmentation draws of the next iteration. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    public int epoch() {
        return epoch;
    }

    public int size() {
        return subset.length;
    }

    public int batchSize() {
        return batchSize;
    }

    public int batchesPerEpoch() {
        return dropLast ? subset.length / batchSize : (subset.length + batchSize - 1) / batchSize;
    }

    public ImageDataset dataset() {
        return assembler.dataset();
    }

    /** Fills a caller-provided buffer with images {@code indices[0..n)}: normalised, never augmented. */
    public void fill(int[] indices, int n, UnsafeBuffer dst) {
        assembler.fill(indices, n, dst);
    }

    @Override
    public Iterator<LabeledBatch> iterator() {
        System.arraycopy(subset, 0, order, 0, subset.length);
        if (shuffle) {
            SplitMix.shuffle(order, SplitMix.mix(seed) ^ SplitMix.mix(epoch + 0x5DEECE66DL));
        }
        int runEpoch = epoch;
        ImageGeometry g = dataset().geometry();
        return new Iterator<>() {
            private int next;
            private final int batches = batchesPerEpoch();
            private int produced;

            @Override
            public boolean hasNext() {
                return produced < batches;
            }

            @Override
            public LabeledBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int n = Math.min(batchSize, order.length - next);
                for (int i = 0; i < n; i++) {
                    int idx = order[next + i];
                    indices[i] = idx;
                    labels[i] = dataset().label(idx);
                    long r = augmentation.random(seed, runEpoch, idx);
                    assembler.put(
                            idx,
                            augmentation.dy(r),
                            augmentation.dx(r),
                            augmentation.flip(r),
                            pixels,
                            i * assembler.imageBytes());
                }
                next += n;
                produced++;
                return new LabeledBatch(pixels, labels, indices, n, g.channels(), g.height(), g.width());
            }
        };
    }

    public static final class Builder {
        private final ImageDataset dataset;
        private int[] subset;
        private int batchSize = 128;
        private boolean shuffle;
        private boolean dropLast;
        private Augmentation augmentation = Augmentation.NONE;
        private Normalization normalization;
        private long seed;

        private Builder(ImageDataset dataset) {
            this.dataset = Objects.requireNonNull(dataset);
            this.normalization = dataset.normalization();
        }

        /** Dataset indices to iterate (see {@link Subsets}); default all. */
        public Builder subset(int[] indices) {
            this.subset = indices;
            return this;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = Objects.requireNonNull(augmentation);
            return this;
        }

        /** Default {@link Normalization#IMAGENET}, which the shared CIFAR-10 models also expect. */
        public Builder normalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
