package org.emodir.data;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns uint8 CHW images of a dataset into normalised float32 NCHW (native order) in an off-heap
 * buffer, optionally cropping/flipping each image. Allocation-free per call.
 */
final class BatchAssembler {
    private final ImageDataset dataset;
    private final float[] lut;
    private final byte[] image;

    public BatchAssembler(ImageDataset dataset, Normalization normalization) {
        this.dataset = dataset;
        this.lut = normalization.lookupTable();
        this.image = new byte[dataset.geometry().pixelsPerImage()];
    }

    public ImageDataset dataset() {
        return dataset;
    }

    /** Float32 bytes of one assembled image. */
    public int imageBytes() {
        return dataset.geometry().pixelsPerImage() * Float.BYTES;
    }

    /**
     * Writes image {@code index} at byte offset {@code at} of {@code dst}.
     */
    public void put(int index, CropFlip aug, UnsafeBuffer dst, int at) {
        put(index, aug.dy(), aug.dx(), aug.flip(), dst, at);
    }

    /** As {@link #put(int, CropFlip, UnsafeBuffer, int)} with the crop shift and flip unpacked (no allocation). */
    public void put(int index, int dy, int dx, boolean flip, UnsafeBuffer dst, int at) {
        ImageGeometry g = dataset.geometry();
        int h = g.height();
        int w = g.width();
        int plane = g.planeSize();
        dataset.copyChw(index, image, 0);
        ByteOrder order = ByteOrder.nativeOrder();
        int out = at;
        for (int c = 0; c < ImageGeometry.CHANNELS; c++) {
            int lutBase = c * 256;
            float black = lut[lutBase];
            int src = c * plane;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                if (sy < 0 || sy >= h) {
                    for (int x = 0; x < w; x++, out += Float.BYTES) {
                        dst.putFloat(out, black, order);
                    }
                    continue;
                }
                int row = src + sy * w;
                for (int x = 0; x < w; x++, out += Float.BYTES) {
                    int sx = (flip ? w - 1 - x : x) + dx;
                    float v = sx < 0 || sx >= w ? black : lut[lutBase + (image[row + sx] & 0xFF)];
                    dst.putFloat(out, v, order);
                }
            }
        }
    }

    /** Writes {@code n} images {@code indices[0..n)} un-augmented from byte 0 of {@code dst}. */
    public void fill(int[] indices, int n, UnsafeBuffer dst) {
        long need = (long) n * imageBytes();
        if (dst.capacity() < need) {
            throw new IllegalArgumentException("buffer holds " + dst.capacity() + " bytes, " + n + " images of "
                    + dataset.geometry() + " need " + need);
        }
        for (int i = 0; i < n; i++) {
            put(indices[i], CropFlip.IDENTITY, dst, i * imageBytes());
        }
    }
}
