package org.emodir.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
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

    /**
     * Backpropagates {@code loss} of {@code b} micro-batch by micro-batch (each in its own scope, its loss weighted by
     * its share) and returns the batch's mean loss; the caller zeroes the gradients before and steps after.
     */
    static double backward(LabeledBatch b, Function<LabeledBatch, Tensor> loss) {
        double sum = 0;
        for (LabeledBatch part : of(b)) {
            try (PointerScope scope = new PointerScope()) {
                Tensor l = loss.apply(part);
                if (part != b) l = l.mul(new Scalar(weight(part, b)));
                l.backward();
                sum += l.item_float();
            }
        }
        return sum;
    }

    /** The weight of {@code part}'s mean loss in the whole batch's mean loss. */
    static double weight(LabeledBatch part, LabeledBatch whole) {
        return (double) part.n() / whole.n();
    }
}
