package org.emodir.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.emodir.data.Augmentation;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.Normalization;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.io.SafeTensors;
import org.emodir.train.LrSchedule;
import org.emodir.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains or fine-tunes a model with SGD on libtorch CPU and saves the weights as safetensors. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train or fine-tune with SGD (momentum, weight decay, cosine or step schedule) on libtorch CPU.",
        footer = {
            "",
            "Examples:",
            "  emodir train --model resnet20 --epochs 1 --lr 0.01 --out resnet20-ft.safetensors",
            "  emodir train --model resnet56 --scratch --epochs 160 --lr 0.1 --schedule step --out r56.safetensors"
        })
final class TrainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--out", required = true, description = "Where to write the trained weights (.safetensors).")
    Path out;

    @Option(names = "--scratch", description = "Start from random weights instead of --weights / the pretrained ones.")
    boolean scratch;

    @Option(names = "--epochs", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.01", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(
            names = "--schedule",
            defaultValue = "cosine",
            description = "cosine|step (x0.1 at 50% and 75%). Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--weight-decay", defaultValue = "5e-4", description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--batch-size", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--per-class",
            defaultValue = "0",
            description = "Train on the first N images per class only (0: all).")
    int perClass;

    @Option(names = "--seed", defaultValue = "1", description = "Shuffle/augmentation/initialisation seed.")
    long seed;

    @Option(names = "--json", description = "Print one JSON object: epochs, final_loss, seconds, out.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--epochs", epochs, 1);
        Checks.positive("--lr", lr);
        Checks.atLeast("--batch-size", batchSize, 1);
        LrSchedule s = switch (schedule) {
            case "cosine" -> LrSchedule.cosine(lr);
            case "step" -> LrSchedule.step(lr, 0.1, epochs / 2, epochs * 3 / 4);
            default -> throw new IllegalArgumentException("--schedule must be cosine or step, got '" + schedule + "'");
        };
        modelOptions.initRuntime();
        NetSpec spec = modelOptions.spec();
        ImageDataset ds = dataOptions.split("train", spec);
        DataLoader loader = DataOptions.loader(ds, batchSize, perClass)
                .shuffle(true)
                .dropLast(true)
                .augmentation(Augmentation.CIFAR)
                .normalization(Normalization.IMAGENET)
                .seed(seed)
                .build();
        try (TorchNet net =
                scratch ? TorchNet.random(spec, seed) : TorchNet.fromStateDict(spec, modelOptions.loadWeights())) {
            Trainer.Config cfg = new Trainer.Config()
                    .epochs(epochs)
                    .schedule(s)
                    .weightDecay(weightDecay)
                    .progress(json ? 0 : 20, System.err::println);
            List<Trainer.EpochStats> stats = new Trainer(cfg).train(net, loader, loader::setEpoch);
            SafeTensors.write(out, net.toStateDict(), Map.of("emodir.model", spec.arch()));
            Trainer.EpochStats last = stats.get(stats.size() - 1);
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("model", spec.arch());
            res.put("epochs", stats.size());
            res.put("final_loss", last.meanLoss());
            res.put(
                    "seconds",
                    stats.stream().mapToDouble(Trainer.EpochStats::seconds).sum());
            res.put("out", out.toAbsolutePath().toString());
            Output.print(res, json);
        }
        return 0;
    }
}
