package org.emodir.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import org.emodir.data.ClassSelection;
import org.emodir.data.DataSelection;
import org.emodir.data.Datasets;
import org.emodir.data.ImageDataset;
import org.emodir.data.ImageGeometry;

/**
 * Where a run's images are: the data root holding {@code datasets/cifar10-jpg} (the shared layout); the official
 * CIFAR-10/100 binary batches (lossless); or an ImageFolder root with {@code train/} and {@code test/} (CIFAR layout:
 * 32x32 images read as stored) or {@code train/} and {@code val/} (ImageNet layout: shorter side 256, centre 224,
 * augmented in training by translation and flip only).
 */
record DataSplits(ImageDataset train, ImageDataset test, String name, Path testPath) {
    /** {@code selection} (classes, skipping bad images) applies to the ImageNet layout only. */
    static DataSplits open(Path data, Path cacheDir, DataSelection selection) {
        Path root = data;
        Path nested = data.resolve("datasets").resolve("cifar10-jpg");
        if (Files.isDirectory(nested)) root = nested;
        Path train = root.resolve("train");
        for (String test : new String[] {"test", "val"}) {
            if (Files.isDirectory(train) && Files.isDirectory(root.resolve(test))) {
                if (test.equals("val")) {
                    ClassSelection classes = selection.classes();
                    boolean skip = selection.skipBadImages();
                    return new DataSplits(
                            Datasets.imageNet(root, "train", classes, skip, cacheDir),
                            Datasets.imageNet(root, "val", classes, skip, cacheDir),
                            name(root),
                            root.resolve(test));
                }
                if (!selection.isDefault()) {
                    throw new IllegalArgumentException(
                            "--classes and --skip-bad-images need an ImageNet layout (train/ and val/); " + root
                                    + " has train/ and test/");
                }
                ImageGeometry g = ImageGeometry.CIFAR;
                return new DataSplits(
                        Datasets.imageFolder(train, g, cacheDir),
                        Datasets.imageFolder(root.resolve(test), g, cacheDir),
                        name(root),
                        root.resolve(test));
            }
        }
        ImageDataset[] binary = Files.isDirectory(data) ? Datasets.cifarBinarySplits(data) : null;
        if (binary != null) return new DataSplits(binary[0], binary[1], name(data) + " (binary)", data);
        throw new IllegalArgumentException("data directory " + data + " has neither datasets/cifar10-jpg, nor train/"
                + " with test/ or val/ (ImageFolder layout), nor the CIFAR-10/100 binary batches");
    }

    private static String name(Path root) {
        Path name = root.toAbsolutePath().normalize().getFileName();
        return name == null ? root.toString() : name.toString();
    }
}
