package org.emodir.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.emodir.data.DataDirs;
import org.emodir.data.DataLoader;
import org.emodir.data.Datasets;
import org.emodir.data.ImageDataset;
import org.emodir.data.Normalization;
import org.emodir.data.Subsets;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;

/**
 * The shared pretrained models and CIFAR-10 JPEGs through the production readers and loaders.
 * Decoded images are cached under target/test-cache, so a split is decoded once per clean build.
 */
public final class SharedFixtures {
    public static final Path CACHE = Path.of("target", "test-cache");
    public static final String RESNET20 = "resnet20-12fca82f.safetensors";
    public static final String RESNET56 = "resnet56-4bfd9763.safetensors";

    private SharedFixtures() {}

    public static StateDict weights(String file) {
        try {
            return SafeTensors.read(DataDirs.cifar10Models().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ImageDataset cifar(String split) {
        return Datasets.cifar10Jpg(DataDirs.cifar10Jpg(), split, CACHE);
    }

    /** The first {@code perClass} images (sorted file names) of every class, in order, not augmented. */
    public static DataLoader cifarSubset(String split, int perClass, int batchSize) {
        ImageDataset ds = cifar(split);
        return DataLoader.builder(ds)
                .subset(Subsets.firstPerClass(ds, perClass))
                .batchSize(batchSize)
                .normalization(Normalization.IMAGENET)
                .build();
    }
}
