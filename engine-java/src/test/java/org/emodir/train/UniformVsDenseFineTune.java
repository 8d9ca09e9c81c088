package org.emodir.train;

import java.nio.file.Path;
import org.emodir.data.DataDirs;
import org.emodir.data.Datasets;
import org.emodir.data.ImageDataset;
import org.emodir.eval.EvalResult;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;

/**
 * One-off measurement, not part of CI (minutes of CPU): ResNet-56 dense vs the uniform 50%-FLOPs baseline, each
 * fine-tuned for the same fraction of an epoch, top-1 on the first 200 test images of every class.
 * Usage: {@code UniformVsDenseFineTune [epochs=0.3] [reduction=0.5] [testImages=2000]}.
 */
public final class UniformVsDenseFineTune {
    private UniformVsDenseFineTune() {}

    public static void main(String[] args) throws Exception {
        double epochs = args.length > 0 ? Double.parseDouble(args[0]) : 0.3;
        double reduction = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
        int testImages = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path cache = Path.of("target", "test-cache");
        ImageDataset train = Datasets.cifar10Jpg(DataDirs.cifar10Jpg(), "train", cache);
        ImageDataset test = Datasets.cifar10Jpg(DataDirs.cifar10Jpg(), "test", cache);
        NetSpec dense = NetSpec.dense("resnet56", 10);
        StateDict w = SafeTensors.read(DataDirs.cifar10Models().resolve("resnet56-4bfd9763.safetensors"));
        FineTuner tuner = new FineTuner();
        FineTuner.Config cfg = new FineTuner.Config()
                .epochs(epochs)
                .batchSize(64)
                .lr(0.01)
                .seed(1)
                .progressEvery(50);

        PrunedModel denseModel = new PrunedModel(dense, w);
        PrunedModel uniform = UniformBaseline.atFlops(dense, w, reduction);
        for (var entry :
                java.util.List.of(java.util.Map.entry("dense", denseModel), java.util.Map.entry("uniform", uniform))) {
            PrunedModel m = entry.getValue();
            long macs = m.flops().totalMacs();
            EvalResult before = tuner.evaluate(m, test, testImages, 200);
            System.out.printf(
                    "%s %s: %,d MACs (%.1f%% reduction), before fine-tuning %s%n",
                    entry.getKey(),
                    m.spec(),
                    macs,
                    100 * (1 - (double) macs / denseModel.flops().totalMacs()),
                    before);
            FineTuneResult r = tuner.finetune(m, null, train, cfg, System.out::println);
            EvalResult after = tuner.evaluate(m.withWeights(r.weights()), test, testImages, 200);
            System.out.printf("%s: fine-tuned %s; after: %s%n", entry.getKey(), r, after);
        }
    }
}
