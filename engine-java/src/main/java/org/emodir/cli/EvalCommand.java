package org.emodir.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.Normalization;
import org.emodir.eval.EvalResult;
import org.emodir.eval.Evaluator;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Top-1/top-5 of a model on a dataset split, on libtorch CPU. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Top-1 / top-5 accuracy and loss of a model on a dataset split (libtorch, CPU).",
        footer = {
            "",
            "Examples:",
            "  emodir eval --model resnet56 --weights resnet56.safetensors --data cifar10-jpg --split test --json",
            "  emodir eval --model resnet20 --per-class 100"
        })
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DataOptions dataOptions;

    @Option(
            names = "--split",
            defaultValue = "test",
            description = "Split folder: train|test. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(
            names = "--per-class",
            defaultValue = "0",
            description = "Evaluate only the first N images of every class (0: all). Default: ${DEFAULT-VALUE}.")
    int perClass;

    @Option(names = "--batch-size", defaultValue = "250", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--json",
            description = "Print one JSON object: top1, top5, images, seconds, loss, images_per_second.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.atLeast("--per-class", perClass, 0);
        modelOptions.initRuntime();
        NetSpec spec = modelOptions.spec();
        ImageDataset ds = dataOptions.split(split, spec);
        if (ds.numClasses() != spec.numClasses()) {
            throw new IllegalArgumentException("dataset " + dataOptions.root() + " has " + ds.numClasses()
                    + " classes but --classes is " + spec.numClasses());
        }
        DataLoader.Builder b = DataOptions.loader(ds, batchSize, perClass).normalization(Normalization.IMAGENET);
        EvalResult r;
        try (TorchNet net = TorchNet.fromStateDict(spec, modelOptions.loadWeights())) {
            r = new Evaluator(json ? 0 : 10, System.err::println).evaluate(net, b.build());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", spec.arch());
        out.put("split", split);
        out.put("top1", r.top1());
        out.put("top5", r.top5());
        out.put("images", r.images());
        out.put("seconds", r.seconds());
        out.put("loss", r.loss());
        out.put("images_per_second", r.imagesPerSecond());
        Output.print(out, json);
        return 0;
    }
}
