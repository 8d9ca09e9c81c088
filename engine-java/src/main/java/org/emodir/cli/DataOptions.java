package org.emodir.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.emodir.data.DataDirs;
import org.emodir.data.DataLoader;
import org.emodir.data.Datasets;
import org.emodir.data.ImageDataset;
import org.emodir.data.ImageGeometry;
import org.emodir.data.Subsets;
import org.emodir.model.NetSpec;
import org.emodir.run.CacheDirs;
import picocli.CommandLine.Option;

/**
 * Where images come from. {@code --data} is either an ImageFolder tree with {@code train/} and
 * {@code test/} (or {@code val/}) splits, or a folder holding the official CIFAR binary batches.
 */
final class DataOptions {

    @Option(
            names = "--data",
            description = "Dataset folder (ImageFolder splits or CIFAR binaries). "
                    + "Default: <data dir>/datasets/cifar10-jpg.")
    Path data;

    @Option(
            names = {"--cache-dir", "--cache"},
            description = "Decoded-image cache folder. Default: $EMODIR_CACHE or ~/.cache/emodir.")
    Path cache;

    Path root() {
        return data != null ? data : DataDirs.cifar10Jpg();
    }

    Path cacheDir() {
        return cache != null ? cache : defaultCacheDir();
    }

    /** The one default for every command: $EMODIR_CACHE, else ~/.cache/emodir. */
    static Path defaultCacheDir() {
        return CacheDirs.defaultDir();
    }

    /** Batches of {@code ds}; {@code perClass > 0} keeps only the first {@code perClass} images of every class. */
    static DataLoader.Builder loader(ImageDataset ds, int batchSize, int perClass) {
        DataLoader.Builder b = DataLoader.builder(ds).batchSize(batchSize);
        if (perClass > 0) b.subset(Subsets.firstPerClass(ds, perClass));
        return b;
    }

    ImageDataset split(String split, NetSpec spec) {
        Path root = root();
        if (!Files.isDirectory(root)) throw new IllegalArgumentException("--data " + root + ": no such folder");
        Path folder = root.resolve(split);
        if (!Files.isDirectory(folder) && split.equals("test") && Files.isDirectory(root.resolve("val"))) {
            folder = root.resolve("val");
        }
        if (Files.isDirectory(folder)) {
            ImageGeometry g =
                    spec.family() == NetSpec.Family.IMAGENET_RESNET ? ImageGeometry.IMAGENET_EVAL : ImageGeometry.CIFAR;
            return Datasets.imageFolder(folder, g, cacheDir());
        }
        return spec.numClasses() == 100 ? Datasets.cifar100Binary(root, split) : Datasets.cifar10Binary(root, split);
    }
}
