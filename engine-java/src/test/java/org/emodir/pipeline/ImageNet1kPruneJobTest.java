package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.emodir.data.DataDirs;
import org.emodir.data.DataLoader;
import org.emodir.data.Datasets;
import org.emodir.data.ImageDataset;
import org.emodir.features.FeatureStorage;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.SafeTensors;
import org.emodir.report.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a 1000-class ImageNet layout at 224 px (issue 18): ResNet-50 with random weights whose
 * BatchNorm statistics are calibrated on real images (no ImageNet-pretrained weights here; the test checks the
 * mechanics at ImageNet-1k's class count, not accuracy). The shared sample holds one image per class, so the tree
 * links each one twice under {@code train/<wnid>/} (one calibration and one held-out image per class, stratified) and
 * once under {@code val/<wnid>/}. Features are stored as bf16, as a 1000-class run on this machine would.
 */
class ImageNet1kPruneJobTest {
    static final int CLASSES = 1000;

    @Test
    void resnet50PrunesOnAThousandClassImageNetLayout(@TempDir Path dir) throws Exception {
        Path sample = DataDirs.shared().resolve("datasets").resolve("imagenet-sample");
        Path data = layout(sample, dir.resolve("imagenet1k"));
        NetSpec spec = NetSpec.dense("resnet50", CLASSES);
        Path weights = dir.resolve("resnet50.safetensors");
        calibratedRandomWeights(spec, Datasets.imagenetEval(sample, dir.resolve("cache")), weights);

        PruneConfig cfg = PruneConfig.quick()
                .model("resnet50")
                .weights(weights)
                .data(data)
                .cacheDir(dir.resolve("cache"))
                .out(dir.resolve("run"))
                .featureStorage(FeatureStorage.BF16)
                .targetFlops(0.3)
                .population(4)
                .generations(1)
                .calibPerClass(1)
                .heldOutPerClass(1)
                .selectionPerClass(0)
                .frontCap(2)
                .rescoreSchemes(1)
                .constraintSteps(1)
                .finetuneEpochs(0.004) // 2 steps of 4 images: training at 224 px is the slowest part on some hosts
                .batchSize(4)
                .evalImages(64)
                .tradeoffStep(0.5)
                .threads(2)
                .seed(5)
                .latency(false)
                // Held-out measurements on the native engine: with adaptive BN every pruned candidate's new conv
                // shapes would first be checked against libtorch's slow reference at 224 px (docs/numerics.md).
                .gpirAdaptiveBn(false)
                .build();
        RunReport r = new PruneJob(cfg, org.emodir.run.ProgressListener.SILENT).run();

        assertEquals("imagenet1k", r.dataset);
        assertEquals(CLASSES, ((Number) r.details.get("classes")).intValue());
        assertEquals(CLASSES, ((Number) r.details.get("calibration_images")).intValue(), "one per class");
        assertEquals(CLASSES, ((Number) r.details.get("held_out_images")).intValue(), "one per class");
        assertEquals(4, r.fronts.size(), "one front per ResNet-50 stage");
        assertTrue(r.flopsReduction >= 0.3, "target met: " + r.flopsReduction);
        assertEquals(
                org.emodir.model.Flops.count(spec, 224, 224).totalMacs(), r.macsBefore.longValue(), "costs at 224x224");
        PrunedModel pruned = PrunedModel.load(dir.resolve("run").resolve("pruned"));
        assertEquals(CLASSES, pruned.spec().numClasses());
        assertEquals(
                r.macsAfter.longValue(),
                org.emodir.model.Flops.count(pruned.spec(), 224, 224).totalMacs());
        assertTrue(Double.isFinite(r.top1PrunedFinetuned), "evaluated: " + r.top1PrunedFinetuned);
        long rss = ((Number) r.details.get("peak_rss_bytes")).longValue();
        assertTrue(rss > 100L << 20 && rss < 20L << 30, "peak RSS within the machine: " + rss);
        for (String phase : List.of("features", "gpir", "prune-finetune")) {
            assertTrue(r.phaseSeconds.containsKey(phase), "phase time of " + phase + " in " + r.phaseSeconds);
        }
    }

    /**
     * Builds the 1000-class tree at {@code data} from the sample: {@code train/<wnid>/} links each class's image twice,
     * {@code val/<wnid>/} once.
     */
    static Path layout(Path sample, Path data) throws java.io.IOException {
        return layout(sample, data, 2, null);
    }

    /** As above with {@code copies} training links per class, only the wnids of {@code only} (null: all 1000). */
    static Path layout(Path sample, Path data, int copies, java.util.Set<String> only) throws java.io.IOException {
        List<Path> wnids;
        try (var folders = Files.list(sample)) {
            wnids = folders.filter(Files::isDirectory).sorted().toList();
        }
        assertEquals(CLASSES, wnids.size(), "class folders in " + sample);
        for (Path wnid : wnids) {
            String name = wnid.getFileName().toString();
            if (only != null && !only.contains(name)) continue;
            Path image;
            try (var files = Files.list(wnid)) {
                image = files.filter(p -> p.toString().endsWith(".JPEG"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no JPEG in " + wnid));
            }
            Path train = Files.createDirectories(data.resolve("train").resolve(name));
            for (int k = 0; k < copies; k++) Files.createSymbolicLink(train.resolve(name + "_" + k + ".JPEG"), image);
            Files.createSymbolicLink(
                    Files.createDirectories(data.resolve("val").resolve(name)).resolve(name + ".JPEG"), image);
        }
        return data;
    }

    /**
     * Writes a tree and matching BN-calibrated random weights into {@code DIR} for a run by hand
     * (benchmarks/README-imagenet.md): {@code java -cp emodir.jar:emodir-tests.jar:junit-jupiter-api.jar
     * org.emodir.pipeline.ImageNet1kPruneJobTest DIR [COPIES [imagenet100]]} writes {@code DIR/imagenet1k} (or {@code
     * DIR/imagenet100}: the bundled 100-class list) with COPIES (default 2) training links per class, and {@code
     * DIR/resnet50.safetensors}; then {@code bin/emodir prune --model resnet50 --weights DIR/resnet50.safetensors
     * --data DIR/imagenet1k ...}.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int copies = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        java.util.Set<String> only = null;
        if (args.length > 2) {
            only = new java.util.HashSet<>(
                    org.emodir.data.ClassSelection.parse(args[2]).classes());
        }
        Path sample = DataDirs.shared().resolve("datasets").resolve("imagenet-sample");
        layout(sample, dir.resolve(only == null ? "imagenet1k" : args[2]), copies, only);
        calibratedRandomWeights(
                NetSpec.dense("resnet50", only == null ? CLASSES : only.size()),
                Datasets.imagenetEval(sample, dir.resolve("cache")),
                dir.resolve("resnet50.safetensors"));
    }

    /**
     * He-initialised ResNet-50 whose every block's BN statistics are those of 32 real images (adaptive BN), so that
     * activations keep their scale through 16 blocks and the features and impairments are not degenerate.
     */
    static void calibratedRandomWeights(NetSpec spec, ImageDataset images, Path out) throws Exception {
        int n = 32;
        DataLoader loader = DataLoader.builder(images)
                .subset(IntStream.range(0, n).map(i -> i * (images.size() / n)).toArray())
                .batchSize(n)
                .build();
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 7)) {
            for (var b : loader) {
                net.recalibrateBatchNorm(
                        0,
                        spec.numBlocks(),
                        net.forwardUpTo(0, Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w())));
            }
            SafeTensors.write(out, net.toStateDict(), Map.of());
        }
    }
}
