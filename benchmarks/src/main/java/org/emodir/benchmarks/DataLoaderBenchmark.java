package org.emodir.benchmarks;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.emodir.data.Augmentation;
import org.emodir.data.DataDirs;
import org.emodir.data.DataLoader;
import org.emodir.data.Datasets;
import org.emodir.data.ImageDataset;
import org.emodir.data.ImageDecoder;
import org.emodir.data.ImageFolderIndex;
import org.emodir.data.ImageGeometry;
import org.emodir.data.LabeledBatch;
import org.emodir.data.NativeJpegDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Images per second of (a) decoding CIFAR-10 JPEGs and ImageNet-sample JPEGs (one thread; at ImageNet geometry,
 * shorter side 256 then centre 224, the same {@value #IMAGENET_FILES} files with javax.imageio, with libjpeg-turbo
 * at full size, and with libjpeg-turbo's DCT-domain downscaling; see benchmarks/README-imagenet.md) and (b) the DataLoader turning the mapped uint8 cache into normalised float32
 * batches with and without crop/flip augmentation (one thread). Scores are images/s.
 * The CIFAR-10 jpg test-split cache goes to {@code -Demodir.bench.cache} (default target/bench-cache).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "-Dagrona.disable.bounds.checks=true"
        })
public class DataLoaderBenchmark {
    private static final int CIFAR_FILES = 256;
    private static final int IMAGENET_FILES = 64;
    private static final int TEST_IMAGES = 10_000;

    private DataLoader plain;
    private DataLoader augmented;
    private ImageFolderIndex cifarIndex;
    private ImageFolderIndex imagenetIndex;
    private byte[] cifarScratch;
    private byte[] imagenetScratch;
    private int epoch;

    @Setup(Level.Trial)
    public void setUp() {
        Path cache = Path.of(System.getProperty("emodir.bench.cache", "target/bench-cache"));
        ImageDataset test = Datasets.cifar10Jpg(DataDirs.cifar10Jpg(), "test", cache);
        plain = DataLoader.builder(test).batchSize(256).build();
        augmented = DataLoader.builder(test)
                .batchSize(256)
                .shuffle(true)
                .augmentation(Augmentation.CIFAR)
                .seed(1)
                .build();
        cifarIndex = ImageFolderIndex.scan(DataDirs.cifar10Jpg().resolve("test"));
        imagenetIndex = ImageFolderIndex.scan(DataDirs.imagenetSample());
        cifarScratch = new byte[ImageGeometry.CIFAR.pixelsPerImage()];
        imagenetScratch = new byte[ImageGeometry.IMAGENET_EVAL.pixelsPerImage()];
    }

    private static double consume(DataLoader loader) {
        double sum = 0;
        for (LabeledBatch b : loader) {
            sum += b.pixels().getFloat(0) + b.labels()[b.n() - 1];
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(TEST_IMAGES)
    public double loaderEpochPlain() {
        return consume(plain);
    }

    @Benchmark
    @OperationsPerInvocation(TEST_IMAGES)
    public double loaderEpochShuffledAugmented() {
        augmented.setEpoch(epoch++);
        return consume(augmented);
    }

    @Benchmark
    @OperationsPerInvocation(CIFAR_FILES)
    public int decodeCifarJpg() {
        int sum = 0;
        for (int i = 0; i < CIFAR_FILES; i++) {
            ImageDecoder.decode(
                    cifarIndex.files().get(i * 37 % cifarIndex.size()), ImageGeometry.CIFAR, cifarScratch, 0);
            sum += cifarScratch[i];
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(IMAGENET_FILES)
    public int decodeImagenetResizeCrop() {
        int sum = 0;
        for (int i = 0; i < IMAGENET_FILES; i++) {
            ImageDecoder.decode(
                    imagenetIndex.files().get(i * 97 % imagenetIndex.size()),
                    ImageGeometry.IMAGENET_EVAL,
                    imagenetScratch,
                    0);
            sum += imagenetScratch[i];
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(IMAGENET_FILES)
    public int decodeImagenetResizeCropTurbo() {
        return turbo(NativeJpegDecoder.DctScaling.POWER_OF_TWO);
    }

    @Benchmark
    @OperationsPerInvocation(IMAGENET_FILES)
    public int decodeImagenetResizeCropTurboAnyScale() {
        return turbo(NativeJpegDecoder.DctScaling.ANY);
    }

    @Benchmark
    @OperationsPerInvocation(IMAGENET_FILES)
    public int decodeImagenetResizeCropTurboFullSize() {
        return turbo(NativeJpegDecoder.DctScaling.NONE);
    }

    /** {@link #decodeImagenetResizeCropTurbo} decoding every row and column, not only the crop's region. */
    @Benchmark
    @OperationsPerInvocation(IMAGENET_FILES)
    public int decodeImagenetResizeCropTurboWholeImage() {
        return turbo(NativeJpegDecoder.DctScaling.POWER_OF_TWO, true);
    }

    private int turbo(NativeJpegDecoder.DctScaling scaling) {
        return turbo(scaling, false);
    }

    private int turbo(NativeJpegDecoder.DctScaling scaling, boolean wholeImage) {
        int sum = 0;
        for (int i = 0; i < IMAGENET_FILES; i++) {
            NativeJpegDecoder.decode(
                    imagenetIndex.files().get(i * 97 % imagenetIndex.size()),
                    ImageGeometry.IMAGENET_EVAL,
                    imagenetScratch,
                    0,
                    scaling,
                    wholeImage);
            sum += imagenetScratch[i];
        }
        return sum;
    }
}
