package org.emodir.eval;

import org.emodir.data.LabeledBatch;

/** A network as {@link Evaluator} sees it: one batch of images in, logits {@code [n][classes]} out. */
@FunctionalInterface
public interface BatchLogits {
    float[] logits(LabeledBatch batch);
}
