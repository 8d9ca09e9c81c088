package org.emodir.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.StreamedParts;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;

/**
 * The dense network's features on a fixed image subset, computed once and kept off-heap (NCHW, native order,
 * float32 or, with {@link FeatureStorage#BF16}, bfloat16 at half the memory and disk; readers always get float32) at a
 * set of cuts: the feature at cut {@code b} is the input of global block {@code b}
 * ({@link org.emodir.model.NetSpec#numBlocks()} numbering; cut 0 = the stem output, cut {@code numBlocks} = the
 * last block's output). Sub-network searches read their input and dense reference from here instead of
 * re-running the network for every candidate.
 *
 * <p>Each cut is held as segments of whole images under 2 GiB ({@link FeatureSegments}), in direct memory while the
 * cache fits the in-memory limit ({@value #MEMORY_LIMIT_PROPERTY} bytes, default a quarter of the physical memory or of -Xmx), else in
 * a memory-mapped file ({@link FeatureFile}, under {@value #DIR_PROPERTY} or the temp directory, unlinked once
 * mapped), so a calibration set larger than memory is paged by the OS and streamed segment by segment ({@link
 * #evaluationParts}). Given a file, the cache is saved there and reused on the next build when the header, sizes and
 * the checksum of the inputs match ({@link FeatureInputs}).
 */
public final class FeatureCache {
    public static final String MEMORY_LIMIT_PROPERTY = "emodir.features.memory.limit";
    public static final String DIR_PROPERTY = "emodir.features.dir";

    private final int images;
    private final int[] cuts;
    private final int[][] shapes;
    private final FeatureSegments features;
    private final UnsafeBuffer labels;
    private final int[] labelArray;
    private final boolean loaded;

    /** What a build or a file produces: cuts ascending, their {C, H, W}, the floats, the labels. */
    record Storage(int[] cuts, int[][] shapes, FeatureSegments features, int[] labels) {}

    private FeatureCache(Storage s, boolean loaded) {
        this.images = s.labels().length;
        this.cuts = s.cuts();
        this.shapes = s.shapes();
        this.features = s.features();
        this.labelArray = s.labels();
        this.labels = EvaluationData.ints(s.labels());
        this.loaded = loaded;
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
        return build(dense, data, indices, batchSize, cuts, log, null);
    }

    /** As below, stored as float32. */
    public static FeatureCache build(
            TorchNet dense,
            ImageDataset data,
            int[] indices,
            int batchSize,
            int[] cuts,
            Consumer<String> log,
            Path file) {
        return build(dense, data, indices, batchSize, cuts, log, file, FeatureStorage.FP32);
    }

    /**
     * As above, stored as {@code storage} and saved in {@code file} (null: memory or a temporary file, by size): an
     * existing file made from the same inputs and storage is mapped instead of recomputing; one that is stale, damaged
     * or cut short is rebuilt, with the reason logged. The file is replaced atomically.
     */
    public static FeatureCache build(
            TorchNet dense,
            ImageDataset data,
            int[] indices,
            int batchSize,
            int[] cuts,
            Consumer<String> log,
            Path file,
            FeatureStorage storage) {
        if (indices.length == 0) throw new IllegalArgumentException("feature cache needs at least one image");
        int[] sorted = Arrays.stream(cuts).distinct().sorted().toArray();
        int blocks = dense.spec().numBlocks();
        if (sorted.length == 0 || sorted[0] < 0 || sorted[sorted.length - 1] > blocks) {
            throw new IllegalArgumentException("feature cuts " + Arrays.toString(cuts) + " outside 0.." + blocks);
        }
        Consumer<String> say = log != null ? log : s -> {};
        long limit = memoryLimit();
        long segmentBytes = segmentBytes(limit);
        byte[] inputs = null;
        if (file != null) {
            inputs = FeatureInputs.checksum(dense, data, indices, sorted);
            String stale = FeatureFile.staleReason(file, inputs, indices.length, sorted, storage);
            if (stale == null) {
                try {
                    FeatureCache c = new FeatureCache(FeatureFile.open(file, segmentBytes), true);
                    say.accept("features: " + c.images + " images at " + sorted.length + " cuts mapped from " + file);
                    return c;
                } catch (FeatureFile.Stale e) {
                    stale = e.getMessage();
                }
            }
            if (Files.exists(file)) say.accept("features: rebuilding, " + stale);
        }
        Storage s = compute(dense, data, indices, batchSize, sorted, file, inputs, limit, segmentBytes, storage);
        say.accept("features: " + indices.length + " images cached at " + sorted.length + " cuts"
                + (storage != FeatureStorage.FP32 ? " as " + storage.label() : "")
                + (s.features().segments() > 1 ? " in " + s.features().segments() + " segments" : "")
                + (file != null ? " in " + file : ""));
        return new FeatureCache(s, false);
    }

    private static Storage compute(
            TorchNet dense,
            ImageDataset data,
            int[] indices,
            int batchSize,
            int[] cuts,
            Path file,
            byte[] inputs,
            long limit,
            long segmentBytes,
            FeatureStorage storage) {
        DataLoader loader = DataLoader.builder(data)
                .subset(indices)
                .batchSize(batchSize)
                .shuffle(false)
                .build();
        int[][] shapes = new int[cuts.length][];
        int[] labels = new int[indices.length];
        boolean[] modes = dense.modes();
        dense.train(false);
        FeatureFile.Writer writer = null;
        FeatureSegments out = null;
        int done = 0;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (LabeledBatch b : loader) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = dense.forwardStem(Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w()));
                    List<float[]> values = new ArrayList<>(cuts.length);
                    int at = 0;
                    for (int f = 0; f < cuts.length; f++) {
                        h = dense.forwardBlocksFreeing(at, cuts[f], h);
                        at = cuts[f];
                        long[] shape = Tensors.shape(h);
                        shapes[f] = new int[] {(int) shape[1], (int) shape[2], (int) shape[3]};
                        values.add(Tensors.toFloats(h));
                    }
                    if (out == null) {
                        int[] floats = new int[cuts.length];
                        long total = 0;
                        for (int f = 0; f < cuts.length; f++) {
                            floats[f] = shapes[f][0] * shapes[f][1] * shapes[f][2];
                            total += (long) indices.length * floats[f] * storage.bytes();
                        }
                        if (file != null || total > limit) {
                            Path target = file != null ? file : temporaryFile();
                            writer = new FeatureFile.Writer(
                                    target,
                                    new FeatureFile.Layout(
                                            indices.length,
                                            cuts,
                                            shapes,
                                            inputs != null ? inputs : new byte[32],
                                            storage),
                                    segmentBytes);
                            out = writer.segments();
                        } else {
                            int per = FeatureSegments.imagesPerSegment(indices.length, floats, segmentBytes);
                            out = FeatureSegments.allocate(indices.length, per, floats, storage);
                        }
                    }
                    for (int f = 0; f < cuts.length; f++) {
                        int per = shapes[f][0] * shapes[f][1] * shapes[f][2];
                        for (int i = 0; i < b.n(); i++) out.put(f, done + i, values.get(f), i * per);
                    }
                }
                System.arraycopy(b.labels(), 0, labels, done, b.n());
                done += b.n();
            }
            if (writer != null) {
                writer.commit(labels);
                if (file == null) Files.deleteIfExists(writer.file()); // mapped: the pages live until unmapped
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "feature cache: cannot write " + (writer != null ? writer.file() : file) + ": " + e.getMessage(),
                    e);
        } finally {
            dense.restoreModes(modes);
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException ignored) {
                    // the build's own failure, if any, is what matters
                }
            }
        }
        return new Storage(cuts, shapes, out, labels);
    }

    private static Path temporaryFile() throws IOException {
        String dir = System.getProperty(DIR_PROPERTY);
        Path d = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(d);
        return d.resolve("emodir-features-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".emofeat");
    }

    /**
     * Bytes a cache may hold in direct memory: the property, else a quarter of the physical memory or of the JVM's
     * direct-memory limit (which defaults to the heap limit), whichever is less: a run holds up to three caches at once
     * (calibration, held-out, selection) plus the buffers bf16 segments are decoded into.
     */
    static long memoryLimit() {
        String v = System.getProperty(MEMORY_LIMIT_PROPERTY);
        if (v != null && !v.isBlank()) {
            try {
                long bytes = Long.parseLong(v.trim());
                if (bytes > 0) return bytes;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "-D" + MEMORY_LIMIT_PROPERTY + " must be a positive number of bytes, got '" + v + "'");
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return Math.max(
                64L << 20,
                Math.min(os.getTotalMemorySize(), Runtime.getRuntime().maxMemory()) / 4);
    }

    /** Segments of a quarter of the limit (so a low test limit gives several), at most what one mapping holds. */
    static long segmentBytes(long limit) {
        return Math.max(1, Math.min(FeatureSegments.MAX_SEGMENT_BYTES, limit / 4));
    }

    public int images() {
        return images;
    }

    /** True when the features were mapped from a saved file instead of being computed now. */
    public boolean loadedFromFile() {
        return loaded;
    }

    /** The cached cuts, ascending. */
    public int[] cuts() {
        return cuts.clone();
    }

    private int slot(int cut) {
        int i = Arrays.binarySearch(cuts, cut);
        if (i < 0)
            throw new IllegalArgumentException("no feature cached at block " + cut + "; cuts " + Arrays.toString(cuts));
        return i;
    }

    /** Segments each cut is streamed in (all cuts alike; several when a cut exceeds a quarter of the in-memory limit). */
    public int segments() {
        return features.segments();
    }

    /** How the features are stored. */
    public FeatureStorage storage() {
        return features.storage();
    }

    /**
     * The input of global block {@code cut} (the network's last block output for {@code cut = numBlocks}) as one
     * float32 buffer: the memory or mapping itself when stored as float32, else a decoded copy. Only for a cut under 2
     * GiB as float32; stream a larger one with {@link #evaluationParts} or {@link #images}.
     */
    public UnsafeBuffer feature(int cut) {
        int slot = slot(cut);
        UnsafeBuffer whole = features.whole(slot);
        long bytes = (long) images * floatsPerImage(cut) * Float.BYTES;
        if (whole == null || bytes > FeatureSegments.MAX_SEGMENT_BYTES) {
            throw new IllegalStateException("feature at block " + cut + " of " + images + " images is over 2 GiB ("
                    + features.segments() + " segments of " + features.imagesPerSegment()
                    + " images); read it with evaluationParts or images");
        }
        return storage() == FeatureStorage.FP32 ? whole : images(cut, 0, images);
    }

    /**
     * Images {@code first .. first+count} of the feature at {@code cut} as float32 NCHW: a view of the memory or
     * mapping when stored as float32 in one piece, else a copy (decoded, or gathered across segments).
     */
    public UnsafeBuffer images(int cut, int first, int count) {
        if (first < 0 || count <= 0 || first > images - count) {
            throw new IllegalArgumentException(
                    "images " + first + ".." + (first + count) + " outside the " + images + " cached");
        }
        int slot = slot(cut);
        UnsafeBuffer view = features.view(slot, first, count);
        if (view != null) return view;
        UnsafeBuffer out = direct(Math.multiplyExact((long) count, floatsPerImage(cut)));
        features.read(slot, first, count, out);
        return out;
    }

    /** Global average pooling of the feature at {@code cut}: {@code [images][channels]}, streamed by segment. */
    public double[][] pooled(int cut) {
        int slot = slot(cut);
        int[] chw = shapes[slot];
        int hw = chw[1] * chw[2], per = floatsPerImage(cut);
        double[][] out = new double[images][chw[0]];
        for (int s = 0; s < features.segments(); s++) {
            int first = s * features.imagesPerSegment(), n = features.imagesIn(s);
            UnsafeBuffer b = images(cut, first, n);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < chw[0]; c++) {
                    double sum = 0;
                    long at = (long) i * per + (long) c * hw;
                    for (int k = 0; k < hw; k++) sum += b.getFloat((int) ((at + k) * Float.BYTES));
                    out[first + i][c] = sum / hw;
                }
            }
        }
        return out;
    }

    /**
     * The cache as consecutive evaluation parts, one per segment: the feature at {@code inputCut}, the reference at
     * {@code referenceCut} (or none when negative) and the labels when asked, for a population evaluator that streams
     * them ({@code PopulationEvaluators.best(program, parts, threads)}). Stored as float32 the parts are views;
     * stored as bfloat16 they are {@link StreamedParts}, decoded one at a time into reused buffers.
     */
    public List<EvaluationData> evaluationParts(int inputCut, int referenceCut, boolean withLabels) {
        int in = slot(inputCut);
        int ref = referenceCut < 0 ? -1 : slot(referenceCut);
        if (storage() != FeatureStorage.FP32) return new Decoded(in, ref, withLabels);
        List<EvaluationData> parts = new ArrayList<>(features.segments());
        for (int s = 0; s < features.segments(); s++) {
            int first = s * features.imagesPerSegment(), n = features.imagesIn(s);
            parts.add(new EvaluationData(
                    features.segment(in, s),
                    n,
                    ref < 0 ? null : features.segment(ref, s),
                    withLabels ? new UnsafeBuffer(labels, first * Integer.BYTES, n * Integer.BYTES) : null));
        }
        return parts;
    }

    /** Segments decoded to float32 on demand into two reused buffers (input, reference). */
    private final class Decoded extends StreamedParts {
        private final int in, ref;
        private final boolean withLabels;
        private final UnsafeBuffer input, reference;

        Decoded(int in, int ref, boolean withLabels) {
            this.in = in;
            this.ref = ref;
            this.withLabels = withLabels;
            int per = features.imagesPerSegment();
            this.input = direct((long) per * floatsAt(in));
            this.reference = ref < 0 ? null : direct((long) per * floatsAt(ref));
        }

        @Override
        public EvaluationData get(int s) {
            int first = s * features.imagesPerSegment(), n = features.imagesIn(s);
            features.read(in, first, n, input);
            if (reference != null) features.read(ref, first, n, reference);
            return new EvaluationData(
                    new UnsafeBuffer(input, 0, n * floatsAt(in) * Float.BYTES),
                    n,
                    reference == null ? null : new UnsafeBuffer(reference, 0, n * floatsAt(ref) * Float.BYTES),
                    withLabels ? new UnsafeBuffer(labels, first * Integer.BYTES, n * Integer.BYTES) : null);
        }

        @Override
        public int size() {
            return features.segments();
        }
    }

    private int floatsAt(int slot) {
        int[] s = shapes[slot];
        return s[0] * s[1] * s[2];
    }

    private static UnsafeBuffer direct(long floats) {
        long bytes = floats * Float.BYTES;
        if (bytes > FeatureSegments.MAX_SEGMENT_BYTES)
            throw new IllegalArgumentException(bytes + " bytes in one buffer");
        return new UnsafeBuffer(
                org.agrona.BufferUtil.allocateDirectAligned((int) Math.max(bytes, 64), 64), 0, (int) bytes);
    }

    /** {C, H, W} of the feature at {@code cut}. */
    public int[] shape(int cut) {
        return shapes[slot(cut)].clone();
    }

    public int floatsPerImage(int cut) {
        int[] s = shapes[slot(cut)];
        return s[0] * s[1] * s[2];
    }

    /**
     * How many images of one libtorch batch keep its widest cached feature map within {@code bytes} (float32; at
     * least 2, at most {@link #images()}): bounds the batches that run whole blocks, whose activations grow with the
     * image size (a 224-px ResNet-50 layer1 output is 3.2 MB per image, a CIFAR ResNet-56's 64 KB).
     */
    public int imagesWithin(long bytes) {
        long widest = 1;
        for (int[] s : shapes) widest = Math.max(widest, (long) s[0] * s[1] * s[2] * Float.BYTES);
        return (int) Math.max(2, Math.min(images(), bytes / widest));
    }

    public UnsafeBuffer labels() {
        return labels;
    }

    public int[] labelArray() {
        return labelArray.clone();
    }

    /** Mean of the squared values of the feature at {@code cut}: the scale that normalises an MSE on it. */
    public double meanSquare(int cut) {
        int slot = slot(cut);
        long n = (long) images * floatsPerImage(cut);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double v = features.get(slot, i);
            sum += v * v;
        }
        return sum / n;
    }
}
