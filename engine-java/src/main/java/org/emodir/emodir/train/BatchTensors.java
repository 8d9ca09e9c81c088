package org.emodir.emodir.train;

import org.bytedeco.pytorch.Tensor;
import org.emodir.data.LabeledBatch;
import org.emodir.model.Tensors;

/** LabeledBatch to libtorch tensors (images NCHW float32, labels int64). */
final class BatchTensors {
    private BatchTensors() {}

    static Tensor images(LabeledBatch b) {
        return Tensors.fromBuffer(b.pixels(), b.n(), b.c(), b.h(), b.w());
    }

    static Tensor labels(LabeledBatch b) {
        return Tensors.longs(b.labels(), b.n());
    }
}
