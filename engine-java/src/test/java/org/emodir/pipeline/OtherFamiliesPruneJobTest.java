package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.emodir.data.DataDirs;
import org.emodir.data.DataLoader;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.SafeTensors;
import org.emodir.report.RunReport;
import org.emodir.run.ProgressListener;
import org.emodir.testdata.SharedFixtures;
import org.emodir.train.FineTuner;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * VGG-16 (every conv prunable: sub-network outputs are pruned) and ResNet-50 (bottlenecks, strided and 1x1 convs,
 * downsample shortcuts) through the whole pipeline on real CIFAR-10 images at 32x32. No pretrained weights exist for
 * them here, so the weights are random with BatchNorm statistics calibrated on real images; accuracy is meaningless,
 * the mechanics are checked: one front per sub-network, non-dominated fronts, the target met, the pruned model saved
 * with the predicted MACs and loadable.
 */
class OtherFamiliesPruneJobTest {
    @ParameterizedTest
    @CsvSource({"vgg16,5,1", "resnet50,4,1", "vgg16,10,2"})
    void pipelineRunsEndToEnd(String arch, int expectedSubnets, int subnetsPerStage, @TempDir Path dir)
            throws Exception {
        Path weights = dir.resolve(arch + ".safetensors");
        NetSpec spec = NetSpec.dense(arch, 10);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 7)) {
            net.train(true);
            DataLoader loader = SharedFixtures.cifarSubset("train", 2, 20);
            try (NoGradGuard g = new NoGradGuard()) {
                for (int i = 0; i < 10; i++) {
                    for (var b : loader) net.forward(Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w()));
                }
            }
            net.train(false);
            SafeTensors.write(weights, net.toStateDict(), Map.of());
        }
        Path out = dir.resolve("run");
        PruneConfig cfg = PruneConfig.quick()
                .model(arch)
                .weights(weights)
                .data(DataDirs.shared())
                .cacheDir(SharedFixtures.CACHE)
                .out(out)
                .targetFlops(0.5)
                .population(4)
                .generations(2)
                .calibPerClass(2)
                .heldOutPerClass(3)
                .selectionPerClass(2)
                .frontCap(6)
                .subnetsPerStage(subnetsPerStage)
                .constraintSteps(1)
                .finetuneEpochs(0.001)
                .batchSize(25)
                .evalImages(50)
                .tradeoffStep(0.1)
                .threads(2)
                .seed(3)
                .build();
        RunReport r = new PruneJob(cfg, ProgressListener.SILENT).run();

        assertEquals(
                expectedSubnets,
                r.fronts.size(),
                r.fronts.stream().map(f -> f.name()).toList().toString());
        for (var f : r.fronts) {
            PruneJobTest.assertNonDominated(f);
            f.solutions().forEach(s -> assertTrue(s.hasGlobalImpairment(), f.name() + " measured"));
        }
        assertTrue(r.flopsReduction >= 0.5, arch + " target met: " + r.flopsReduction);
        PrunedModel pruned = PrunedModel.load(out.resolve("pruned"));
        assertEquals(
                r.macsAfter.longValue(),
                org.emodir.model.Flops.count(pruned.spec(), 32, 32).totalMacs());
        assertTrue(pruned.spec().channelConfig().toArray().length
                == spec.prunableGroups().size());
        double top1 = new FineTuner()
                .evaluate(pruned, SharedFixtures.cifar("test"), 50, 25)
                .top1();
        assertEquals(r.top1PrunedFinetuned, top1, 1e-9);
        assertTrue(r.searchForwardFlops > 0 && r.hypervolume != null);
        List<String> names = r.fronts.stream().map(f -> f.name()).toList();
        assertEquals(names.size(), names.stream().distinct().count(), "distinct sub-network names " + names);
    }

    /**
     * ResNet-50 at ImageNet geometry (shorter side 256, centre 224) from an ImageNet tree: {@code train/<wnid>/} and a
     * flat {@code val/} labelled by Kaggle's {@code LOC_val_solution.csv}, four of five classes chosen by a class-list
     * file, one truncated val JPEG skipped. The shared sample has one image per ImageNet class, so the tree groups 35
     * real sample images under 5 wnids (5 train + 2 val each): the labels are arbitrary, the test checks the data path
     * and the mechanics.
     */
    @org.junit.jupiter.api.Test
    void resnet50RunsFromAnImageNetLayoutFolder(@TempDir Path dir) throws Exception {
        Path sample = DataDirs.shared().resolve("datasets").resolve("imagenet-sample");
        List<Path> images;
        try (var files = java.nio.file.Files.walk(sample)) {
            images = files.filter(p -> p.toString().endsWith(".JPEG"))
                    .sorted()
                    .limit(35)
                    .toList();
        }
        assertEquals(35, images.size(), "imagenet-sample images in " + sample);
        Path data = dir.resolve("imagenet4");
        List<String> wnids = List.of("n01440764", "n01443537", "n01484850", "n01491361", "n01494475");
        StringBuilder csv = new StringBuilder("ImageId,PredictionString\n");
        int valCount = 0;
        for (int i = 0; i < images.size(); i++) {
            int cls = i % 5, k = i / 5;
            if (k < 5) {
                Path folder = data.resolve("train").resolve(wnids.get(cls));
                java.nio.file.Files.createDirectories(folder);
                java.nio.file.Files.createSymbolicLink(
                        folder.resolve(images.get(i).getFileName()), images.get(i));
            } else {
                String id = String.format("ILSVRC2012_val_%08d", ++valCount);
                java.nio.file.Files.createDirectories(data.resolve("val"));
                java.nio.file.Files.createSymbolicLink(data.resolve("val").resolve(id + ".JPEG"), images.get(i));
                csv.append(id).append(',').append(wnids.get(cls)).append(" 1 2 3 4\n");
            }
        }
        java.nio.file.Files.writeString(data.resolve("LOC_val_solution.csv"), csv);
        Path truncated = data.resolve("val").resolve("ILSVRC2012_val_00000001.JPEG"); // class 0
        byte[] whole = java.nio.file.Files.readAllBytes(truncated);
        java.nio.file.Files.delete(truncated);
        java.nio.file.Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        Path classes = dir.resolve("classes.txt");
        java.nio.file.Files.writeString(classes, String.join("\n", wnids.subList(0, 4)) + "\n");
        NetSpec spec = NetSpec.dense("resnet50", 4);
        Path weights = dir.resolve("resnet50.safetensors");
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 7)) {
            SafeTensors.write(weights, net.toStateDict(), Map.of());
        }
        PruneConfig cfg = PruneConfig.quick()
                .model("resnet50")
                .weights(weights)
                .data(data)
                .cacheDir(dir.resolve("cache"))
                .out(dir.resolve("run"))
                .targetFlops(0.3)
                .population(4)
                .generations(1)
                .calibPerClass(1)
                .heldOutPerClass(1)
                .selectionPerClass(1)
                .frontCap(4)
                .constraintSteps(1)
                .finetuneEpochs(0.2)
                .batchSize(4)
                .evalImages(0)
                .tradeoffStep(0.3)
                .threads(2)
                .seed(3)
                .latency(false) // ResNet-50 at 224 px: seconds per timed batch of 64
                .dataSelection(new org.emodir.data.DataSelection(
                        org.emodir.data.ClassSelection.parse(classes.toString()), true))
                .build();
        RunReport r = new PruneJob(cfg, ProgressListener.SILENT).run();
        assertEquals("imagenet4", r.dataset);
        assertEquals(4, r.fronts.size());
        assertTrue(r.flopsReduction >= 0.3, "target met: " + r.flopsReduction);
        assertEquals(
                org.emodir.model.Flops.count(spec, 224, 224).totalMacs(), r.macsBefore.longValue(), "costs at 224x224");
        PrunedModel pruned = PrunedModel.load(dir.resolve("run").resolve("pruned"));
        assertEquals(
                r.macsAfter.longValue(),
                org.emodir.model.Flops.count(pruned.spec(), 224, 224).totalMacs());
        assertEquals(7L, ((Number) r.details.get("eval_images")).longValue(), "val images of the 4 classes but one");
        assertEquals(1L, ((Number) r.details.get("skipped_images_test")).longValue(), "the truncated val image");
        assertEquals(0L, ((Number) r.details.get("skipped_images_train")).longValue());
        assertTrue(((Number) r.details.get("peak_rss_bytes")).longValue() > 100L << 20, "peak RSS reported");
        assertEquals(classes.toString(), r.config.get("classes"));
    }
}
