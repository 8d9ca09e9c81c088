package org.emodir.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.emodir.data.DataDirs;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchRuntime;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsLoader;
import picocli.CommandLine.Option;

/** Options shared by commands that build a network: architecture, classes, weights, threads. */
final class ModelOptions {
    @Option(
            names = "--model",
            defaultValue = "resnet56",
            description =
                    "Architecture: resnet20|32|44|56|110 (CIFAR), vgg16 (CIFAR, BN), resnet50. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--classes", defaultValue = "10", description = "Number of classes. Default: ${DEFAULT-VALUE}.")
    int classes;

    @Option(
            names = "--weights",
            description =
                    "Weights (.safetensors or PyTorch .pt state dict). "
                            + "Default: the pretrained <model>-*.safetensors under <data dir>/models/cifar10, when there is one.")
    Path weights;

    @Option(names = "--threads", description = "CPU threads for libtorch and the native engine. Default: all cores.")
    Integer threads;

    NetSpec spec() {
        return NetSpec.dense(model, classes);
    }

    void initRuntime() {
        if (threads != null) {
            Checks.atLeast("--threads", threads, 1);
            System.setProperty(TorchRuntime.THREADS_PROPERTY, Integer.toString(threads));
        }
        TorchRuntime.init();
    }

    /** The weights file to use, or null when none was given and no pretrained file exists. */
    Path weightsOrDefault() throws IOException {
        if (weights != null) {
            if (!Files.isRegularFile(weights)) throw new IOException("--weights " + weights + ": no such file");
            return weights;
        }
        Path dir;
        try {
            dir = DataDirs.cifar10Models();
        } catch (IllegalStateException noData) {
            return null;
        }
        if (!Files.isDirectory(dir)) return null;
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(model.toLowerCase() + "-")
                            && p.getFileName().toString().endsWith(".safetensors"))
                    .sorted()
                    .findFirst()
                    .orElse(null);
        }
    }

    StateDict loadWeights() throws IOException {
        Path w = weightsOrDefault();
        if (w == null) {
            throw new IllegalArgumentException("no --weights given and no pretrained " + model + " weights found");
        }
        return WeightsLoader.load(w);
    }
}
