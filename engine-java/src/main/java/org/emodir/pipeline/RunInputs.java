package org.emodir.pipeline;

import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.emodir.data.ImageDataset;
import org.emodir.data.Normalization;
import org.emodir.features.CalibrationSets;
import org.emodir.model.CostModel;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsLoader;
import org.emodir.run.ProgressListener;
import org.emodir.scheme.NetworkCost;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetSplit;

/** What every phase reads and none changes: the dense model, the data, the split and the image subsets. */
record RunInputs(
        PruneConfig cfg,
        String dataset,
        Normalization normalization,
        NetSpec spec,
        StateDict weights,
        TorchNet dense,
        ImageDataset train,
        ImageDataset test,
        CostModel cost,
        NetworkCost networkCost,
        SubnetSplit.MinKeep minKeep,
        List<Subnet> subnets,
        CalibrationSets sets) {

    static RunInputs load(PruneConfig cfg, ProgressListener progress) throws IOException {
        progress.phase("load", cfg.model() + " from " + cfg.weights());
        StateDict weights = WeightsLoader.load(cfg.weights());
        DataSplits splits = DataSplits.open(cfg.data(), cfg.cacheDir(), cfg.dataSelection());
        for (ImageDataset d : new ImageDataset[] {splits.train(), splits.test()}) {
            if (!d.skipped().isEmpty()) {
                progress.message(d.name() + ": " + d.skipped().size() + " bad images skipped, first: "
                        + d.skipped().get(0));
            }
        }
        Normalization norm = cfg.normalization() != null ? cfg.normalization() : fromWeights(cfg.weights());
        ImageDataset train = splits.train().withNormalization(norm),
                test = splits.test().withNormalization(norm);
        if (test.numClasses() != train.numClasses()) {
            throw new IllegalArgumentException(splits.testPath() + " has " + test.numClasses()
                    + " classes but the training split has " + train.numClasses());
        }
        NetSpec spec = NetSpec.dense(cfg.model(), train.numClasses());
        CostModel cost =
                new CostModel(spec, train.geometry().height(), train.geometry().width());
        SubnetSplit.MinKeep minKeep = new SubnetSplit.MinKeep(cfg.minChannels(), cfg.minFraction());
        return new RunInputs(
                cfg,
                splits.name(),
                norm,
                spec,
                weights,
                TorchNet.fromStateDict(spec, weights),
                train,
                test,
                cost,
                new NetworkCost(cost.denseMacs(), cost.denseParams()),
                minKeep,
                SubnetSplit.of(spec, minKeep, cfg.subnetsPerStage()),
                CalibrationSets.draw(
                        train,
                        cfg.calibPerClass(),
                        cfg.baselineCalibPerClass(),
                        cfg.heldOutPerClass(),
                        cfg.selectionPerClass(),
                        cfg.seed()));
    }

    /** The statistics a safetensors file's metadata names, else ImageNet's (the shared models' and torchvision's). */
    static Normalization fromWeights(java.nio.file.Path weights) throws IOException {
        if (!weights.getFileName().toString().endsWith(".safetensors")) return Normalization.IMAGENET;
        Normalization n;
        try {
            n = Normalization.fromMetadata(SafeTensors.metadata(weights));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    weights + ": metadata normalization_mean/normalization_std: " + e.getMessage(), e);
        }
        return n != null ? n : Normalization.IMAGENET;
    }

    /** Block indices where features are cached: every sub-network boundary, and 0 (the stem output) for adaptive BN. */
    int[] cuts() {
        return IntStream.concat(
                        IntStream.of(0),
                        subnets.stream().flatMapToInt(sn -> IntStream.of(sn.firstBlock(), sn.endBlock())))
                .distinct()
                .sorted()
                .toArray();
    }
}
