package org.emodir.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.emodir.data.DataDirs;
import org.emodir.data.DataLoader;
import org.emodir.emodir.ProgressListener;
import org.emodir.emodir.PruneConfig;
import org.emodir.emodir.PruneJob;
import org.emodir.emodir.train.FineTuner;
import org.emodir.emodir.train.PrunedModel;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.io.SafeTensors;
import org.emodir.report.RunReport;
import org.emodir.testdata.SharedFixtures;
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
    void pipelineRunsEndToEnd(String arch, int expectedSubnets, int subnetsPerStage, @TempDir Path dir) throws Exception {
        Path weights = dir.resolve(arch + ".safetensors");
        NetSpec spec = NetSpec.dense(arch, 10);
        try (PointerScope scope = new PointerScope(); TorchNet net = TorchNet.random(spec, 7)) {
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
        PruneConfig cfg = PruneConfig.quick().model(arch).weights(weights)
                .data(DataDirs.shared()).cacheDir(SharedFixtures.CACHE).out(out)
                .targetFlops(0.5).population(4).generations(2).calibPerClass(2).heldOutPerClass(3).frontCap(6)
                .subnetsPerStage(subnetsPerStage).constraintSteps(1).finetuneEpochs(0.001).batchSize(25).evalImages(50)
                .tradeoffStep(0.1).threads(2).seed(3).build();
        RunReport r = new PruneJob(cfg, ProgressListener.SILENT).run();

        assertEquals(expectedSubnets, r.fronts.size(), r.fronts.stream().map(f -> f.name()).toList().toString());
        for (var f : r.fronts) {
            PruneJobTest.assertNonDominated(f);
            f.solutions().forEach(s -> assertTrue(s.hasGlobalImpairment(), f.name() + " measured"));
        }
        assertTrue(r.flopsReduction >= 0.5, arch + " target met: " + r.flopsReduction);
        PrunedModel pruned = PrunedModel.load(out.resolve("pruned"));
        assertEquals(r.macsAfter.longValue(), org.emodir.model.Flops.count(pruned.spec(), 32, 32).totalMacs());
        assertTrue(pruned.spec().channelConfig().toArray().length == spec.prunableGroups().size());
        double top1 = new FineTuner().evaluate(pruned, SharedFixtures.cifar("test"), 50, 25).top1();
        assertEquals(r.top1PrunedFinetuned, top1, 1e-9);
        assertTrue(r.searchForwardFlops > 0 && r.hypervolume != null);
        List<String> names = r.fronts.stream().map(f -> f.name()).toList();
        assertEquals(names.size(), names.stream().distinct().count(), "distinct sub-network names " + names);
    }
}
