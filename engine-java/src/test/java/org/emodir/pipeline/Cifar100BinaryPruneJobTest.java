package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.emodir.data.ImageDataset;
import org.emodir.data.Normalization;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.io.SafeTensors;
import org.emodir.report.RunReport;
import org.emodir.run.ProgressListener;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIFAR-100 end to end from the official binary layout (lossless pixels, 3074-byte records, fine labels), with the
 * pixel statistics taken from the weights file's metadata. The 100-class data is synthetic: real CIFAR-10 images
 * relabelled into 100 classes (3 train + 1 test each); the weights are random. Mechanics, not accuracy.
 */
class Cifar100BinaryPruneJobTest {
    private static final String CIFAR_STATS = "0.5071,0.4865,0.4409/0.2673,0.2564,0.2762";

    @Test
    void prunesA100ClassResNetFromCifarBinaryBatchesWithTheWeightsNormalization(@TempDir Path dir) throws Exception {
        ImageDataset source = SharedFixtures.cifar("train");
        Path data = dir.resolve("cifar-100-binary");
        Files.createDirectories(data);
        writeBatch(data.resolve("train.bin"), source, 0, 300);
        writeBatch(data.resolve("test.bin"), source, 300, 100);
        NetSpec spec = NetSpec.dense("resnet20", 100);
        Path weights = dir.resolve("resnet20-c100.safetensors");
        Normalization stats = Normalization.parse(CIFAR_STATS);
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 11)) {
            SafeTensors.write(
                    weights,
                    net.toStateDict(),
                    Map.of(
                            Normalization.MEAN_KEY, CIFAR_STATS.split("/")[0],
                            Normalization.STD_KEY, CIFAR_STATS.split("/")[1]));
        }
        PruneConfig cfg = PruneConfig.quick()
                .model("resnet20")
                .weights(weights)
                .data(dir)
                .cacheDir(dir.resolve("cache"))
                .out(dir.resolve("run"))
                .targetFlops(0.4)
                .population(4)
                .generations(1)
                .calibPerClass(1)
                .heldOutPerClass(1)
                .selectionPerClass(1)
                .frontCap(4)
                .constraintSteps(1)
                .finetuneEpochs(0.01)
                .batchSize(50)
                .evalImages(0)
                .tradeoffStep(0.2)
                .threads(2)
                .seed(5)
                .build();
        RunReport r = new PruneJob(cfg, ProgressListener.SILENT).run();
        assertTrue(r.dataset.endsWith("(binary)"), r.dataset);
        assertEquals(stats.text(), r.details.get("normalization"), "statistics from the weights' metadata");
        assertEquals(100L, ((Number) r.details.get("top1_test_images")).longValue(), "every test record evaluated");
        assertEquals(3, r.fronts.size());
        assertTrue(r.flopsReduction >= 0.4, "target met: " + r.flopsReduction);
        assertTrue(r.top1PrunedFinetuned >= 0 && r.top1PrunedFinetuned <= 1);

        // A folder with neither layout is refused, naming it.
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new PruneJob(
                                PruneConfig.quick()
                                        .weights(weights)
                                        .model("resnet20")
                                        .data(empty)
                                        .out(dir.resolve("run2"))
                                        .build(),
                                ProgressListener.SILENT)
                        .run());
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("binary"), e.getMessage());
    }

    /** CIFAR-100 records: coarse label, fine label (here image index mod 100), 3072 planar CHW pixel bytes. */
    private static void writeBatch(Path file, ImageDataset source, int from, int count) throws IOException {
        byte[] chw = new byte[3 * 32 * 32];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < count; i++) {
                source.copyChw(from + i, chw, 0);
                out.write(new byte[] {0, (byte) (i % 100)});
                out.write(chw);
            }
        }
    }
}
