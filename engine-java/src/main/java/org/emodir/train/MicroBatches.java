package org.emodir.train;

import java.util.ArrayList;
import java.util.List;
import org.emodir.data.LabeledBatch;
import org.emodir.model.TorchNet;

/**
 * Gradient accumulation: a training batch whose graph would not fit ({@link TorchNet#trainingImages}, 16 images at
 * 224 px) is split into micro-batches, each loss weighted by its share of the batch, so that the summed gradients are
 * the batch's (BatchNorm's batch statistics are then per micro-batch, as on a multi-GPU step). A batch that fits is
 * returned whole, so small-image training is unchanged bit for bit.
 */
final class MicroBatches {
    private MicroBatches() {}

    static List<LabeledBatch> of(LabeledBatch b) {
        return of(b, TorchNet.trainingImages(b.h(), b.w()));
    }

    static List<LabeledBatch> of(LabeledBatch b, int maxImages) {
        if (b.n() <= maxImages) return List.of(b);
        List<LabeledBatch> parts = new ArrayList<>();
        for (int from = 0; from < b.n(); from += maxImages) parts.add(b.slice(from, Math.min(maxImages, b.n() - from)));
        return parts;
    }

    /** The weight of {@code part}'s mean loss in the whole batch's mean loss. */
    static double weight(LabeledBatch part, LabeledBatch whole) {
        return (double) part.n() / whole.n();
    }
}
