package org.emodir.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.Normalization;
import org.emodir.engine.NativeNetwork;
import org.emodir.engine.Precision;
import org.emodir.eval.EvalResult;
import org.emodir.eval.Evaluator;
import org.emodir.eval.MemoryBudget;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Top-1/top-5 of a (dense or pruned) model on a dataset split, on libtorch or the native CPU engine. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Top-1 / top-5 accuracy and loss of a model on a dataset split (CPU: libtorch or native engine).",
        footer = {
            "",
            "Examples:",
            "  emodir eval --model resnet56 --weights resnet56.safetensors --data cifar10-jpg --split test --json",
            "  emodir eval --model resnet20 --per-class 100",
            "  emodir eval --arch runs/x/pruned/architecture.json --weights runs/x/pruned/model.safetensors \\",
            "      --engine native --precision bf16"
        })
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec commandSpec;

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
            names = "--arch",
            description = "architecture.json of a pruned model (a prune run's pruned/ folder); needs --weights and "
                    + "replaces --model.")
    Path arch;

    @Option(
            names = "--engine",
            defaultValue = "libtorch",
            description = "libtorch or native (the population evaluator's CPU kernels). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            description = "Conv arithmetic of --engine native: fp32 or bf16 (fp32 accumulation). Default: "
                    + "${DEFAULT-VALUE}.")
    String precision;

    @Option(
            names = "--json",
            description = "Print one JSON object: top1, top5, images, seconds, loss, images_per_second, engine.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        boolean nativeEngine = switch (engine) {
            case "native" -> true;
            case "libtorch" -> false;
            default -> throw usage("--engine must be native or libtorch, got '" + engine + "'");
        };
        Precision p = switch (precision) {
            case "fp32" -> Precision.FP32;
            case "bf16" -> Precision.BF16;
            default -> throw usage("--precision must be fp32 or bf16, got '" + precision + "'");
        };
        if (p != Precision.FP32 && !nativeEngine) throw usage("--precision " + precision + " needs --engine native");
        if (arch != null && modelOptions.weights == null) throw usage("--arch needs --weights");
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.atLeast("--per-class", perClass, 0);
        modelOptions.initRuntime();
        PrunedModel model = arch != null
                ? PrunedModel.loadArchitecture(arch, modelOptions.weights)
                : new PrunedModel(modelOptions.spec(), modelOptions.loadWeights());
        NetSpec spec = model.spec();
        ImageDataset ds = dataOptions.split(split, spec);
        if (ds.numClasses() != spec.numClasses()) {
            throw new IllegalArgumentException("dataset " + dataOptions.root() + " has " + ds.numClasses()
                    + " classes but --classes is " + spec.numClasses());
        }
        DataLoader.Builder b = DataOptions.loader(ds, batchSize, perClass).normalization(Normalization.IMAGENET);
        Evaluator evaluator = new Evaluator(json ? 0 : 10, System.err::println);
        EvalResult r;
        if (nativeEngine) {
            try (NativeNetwork net = nativeNetwork(spec, model.weights(), ds, p)) {
                r = evaluator.evaluate(batch -> net.logits(batch.pixels(), batch.n()), b.build());
            }
        } else {
            try (TorchNet net = TorchNet.fromStateDict(spec, model.weights())) {
                r = evaluator.evaluate(net, b.build());
            }
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
        out.put("engine", nativeEngine ? "native" : "libtorch");
        if (nativeEngine) out.put("precision", precision);
        Output.print(out, json);
        return 0;
    }

    private NativeNetwork nativeNetwork(NetSpec spec, StateDict weights, ImageDataset ds, Precision p) {
        int threads = modelOptions.threads != null
                ? modelOptions.threads
                : Runtime.getRuntime().availableProcessors();
        var program = NetSpecPrograms.network(
                spec, weights, ds.geometry().height(), ds.geometry().width());
        return new NativeNetwork(program, threads, p, MemoryBudget.host());
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(commandSpec.commandLine(), message);
    }
}
