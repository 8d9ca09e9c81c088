package org.emodir.data;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One mini-batch ready for a network: float32 NCHW pixels (already normalised) in an off-heap
 * buffer, and one label per image. Loaders reuse the same buffer between batches, so a consumer
 * must finish with a batch before asking for the next one.
 *
 * @param pixels   {@code n*c*h*w} float32 values, NCHW, native byte order, starting at offset 0
 * @param labels   class index per image; only the first {@code n} entries are valid
 * @param indices  dataset index of each image; only the first {@code n} entries are valid
 */
public record LabeledBatch(UnsafeBuffer pixels, int[] labels, int[] indices, int n, int c, int h, int w) {
    public long floats() {
        return (long) n * c * h * w;
    }

    /** Images {@code [from, from + count)} as a batch of their own, sharing this batch's pixel buffer. */
    public LabeledBatch slice(int from, int count) {
        if (from < 0 || count < 1 || from + count > n) {
            throw new IndexOutOfBoundsException("images [" + from + ", " + (from + count) + ") of a batch of " + n);
        }
        long image = (long) c * h * w * Float.BYTES;
        return new LabeledBatch(
                new UnsafeBuffer(pixels, Math.toIntExact(from * image), Math.toIntExact(count * image)),
                java.util.Arrays.copyOfRange(labels, from, from + count),
                java.util.Arrays.copyOfRange(indices, from, from + count),
                count,
                c,
                h,
                w);
    }
}
