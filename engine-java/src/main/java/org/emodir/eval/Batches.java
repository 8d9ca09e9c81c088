package org.emodir.eval;

import org.bytedeco.pytorch.Tensor;
import org.emodir.data.LabeledBatch;
import org.emodir.model.Tensors;

/** LabeledBatch to libtorch tensors (images NCHW float32, labels int64); shared by evaluation and training. */
public final class Batches {
    private Batches() {}

    public static Tensor images(LabeledBatch b) {
        return Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w());
    }

    public static Tensor labels(LabeledBatch b) {
        return Tensors.longs(b.labels(), b.n());
    }
}
