package org.emodir.emodir.tuning;

import org.emodir.data.Augmentation;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;

/**
 * A training budget in (possibly fractional) epochs of a training set, turned into a loader and an epoch
 * count: below one epoch, one pass over a seeded class-stratified subset of that fraction of the images;
 * from one epoch on, {@code round(epochs)} passes over everything. Augmentation: CIFAR crop + flip.
 */
public record TrainingBudget(DataLoader loader, int epochs, long images) {
    public static TrainingBudget of(ImageDataset train, double epochs, int batchSize, long seed) {
        DataLoader.Builder b = DataLoader.builder(train).batchSize(batchSize).shuffle(true).dropLast(false)
                .augmentation(Augmentation.CIFAR).seed(seed);
        int passes = 1;
        long images = train.size();
        if (epochs < 1) {
            int perClass = Math.max(1, (int) Math.round(epochs * train.size() / train.numClasses()));
            int[] subset = Subsets.stratifiedRandom(train, perClass, seed);
            b.subset(subset);
            images = subset.length;
        } else {
            passes = (int) Math.round(epochs);
            images *= passes;
        }
        return new TrainingBudget(b.build(), passes, images);
    }

    /** A budget of {@code steps} mini-batches (one pass over {@code steps x batchSize} stratified images). */
    public static TrainingBudget steps(ImageDataset train, int steps, int batchSize, long seed) {
        int perClass = Math.max(1, (int) Math.ceil((double) steps * batchSize / train.numClasses()));
        int[] subset = Subsets.stratifiedRandom(train, perClass, seed);
        DataLoader loader = DataLoader.builder(train).subset(subset).batchSize(batchSize).shuffle(true)
                .augmentation(Augmentation.CIFAR).seed(seed).build();
        return new TrainingBudget(loader, 1, subset.length);
    }
}
