package org.emodir.eval;

/**
 * Accuracy of a network on a data set.
 *
 * @param top1    fraction of images whose highest logit is the label
 * @param top5    fraction whose label is among the five highest logits (all, with fewer than 5 classes)
 * @param images  images evaluated
 * @param seconds wall time including data loading
 * @param loss    mean cross-entropy
 */
public record EvalResult(double top1, double top5, long images, double seconds, double loss) {
    public double imagesPerSecond() {
        return seconds > 0 ? images / seconds : 0;
    }

    @Override
    public String toString() {
        return String.format(
                "top1 %.4f top5 %.4f loss %.4f on %d images in %.1f s (%.0f img/s)",
                top1, top5, loss, images, seconds, imagesPerSecond());
    }
}
