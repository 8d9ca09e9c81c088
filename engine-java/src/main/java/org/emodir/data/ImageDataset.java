package org.emodir.data;

import java.util.List;
import java.util.Objects;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decoded images as off-heap uint8, planar CHW per image (image {@code i} at
 * {@link #pixelOffset(int)} of {@link #pixels(int)}), with one label per image. The pixels are
 * either direct memory or a read-only memory-mapped cache file; never modified after construction.
 */
public final class ImageDataset {
    private final String name;
    private final List<String> classNames;
    private final int[] labels;
    private final ImageGeometry geometry;
    private final PixelSegments pixels;
    private final boolean loadedFromCache;
    private final Normalization normalization;
    private final List<String> skipped;

    public ImageDataset(
            String name,
            List<String> classNames,
            int[] labels,
            ImageGeometry geometry,
            PixelSegments pixels,
            boolean loadedFromCache) {
        this(name, classNames, labels, geometry, pixels, loadedFromCache, List.of());
    }

    /** As above, naming the images of the source left out as missing or undecodable ("path: reason" each). */
    public ImageDataset(
            String name,
            List<String> classNames,
            int[] labels,
            ImageGeometry geometry,
            PixelSegments pixels,
            boolean loadedFromCache,
            List<String> skipped) {
        this(name, classNames, labels, geometry, pixels, loadedFromCache, Normalization.IMAGENET, skipped);
    }

    private ImageDataset(
            String name,
            List<String> classNames,
            int[] labels,
            ImageGeometry geometry,
            PixelSegments pixels,
            boolean loadedFromCache,
            Normalization normalization,
            List<String> skipped) {
        this.skipped = List.copyOf(skipped);
        this.normalization = Objects.requireNonNull(normalization);
        this.name = Objects.requireNonNull(name);
        this.classNames = List.copyOf(classNames);
        this.labels = labels;
        this.geometry = geometry;
        this.pixels = pixels;
        this.loadedFromCache = loadedFromCache;
        if (pixels.count() != labels.length || pixels.bytesPerImage() != geometry.pixelsPerImage()) {
            throw new DatasetException(name + ": pixels hold " + pixels.count() + " images of " + pixels.bytesPerImage()
                    + " bytes, labels " + labels.length + " images of " + geometry + " (" + geometry.pixelsPerImage()
                    + " bytes)");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new DatasetException(
                        name + ": label " + labels[i] + " of image " + i + " outside 0.." + (classNames.size() - 1));
            }
        }
    }

    /**
     * The same images normalised with {@code n} by every loader built on them (the pixel statistics a model was
     * trained with belong to its weights, not to the images). Shares the pixels.
     */
    public ImageDataset withNormalization(Normalization n) {
        return new ImageDataset(name, classNames, labels, geometry, pixels, loadedFromCache, n, skipped);
    }

    /** What {@link DataLoader}s built on this dataset normalise with by default (ImageNet statistics unless set). */
    public Normalization normalization() {
        return normalization;
    }

    /** The source's images left out (missing or undecodable, when asked to skip them), each "path: reason". */
    public List<String> skipped() {
        return skipped;
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    public int label(int i) {
        return labels[i];
    }

    public ImageGeometry geometry() {
        return geometry;
    }

    /** True when the pixels were mapped from an existing cache file instead of being decoded now. */
    public boolean loadedFromCache() {
        return loadedFromCache;
    }

    /** The read-only buffer holding image {@code i} (do not write to it). */
    public UnsafeBuffer pixels(int i) {
        Objects.checkIndex(i, labels.length);
        return pixels.buffer(i);
    }

    /** Offset of image {@code i} within {@link #pixels(int)}. */
    public int pixelOffset(int i) {
        Objects.checkIndex(i, labels.length);
        return pixels.offset(i);
    }

    /** Copies image {@code i} as planar CHW uint8 into {@code dst[off ..]}. */
    public void copyChw(int i, byte[] dst, int off) {
        Objects.checkIndex(i, labels.length);
        pixels.get(i, dst, off);
    }

    /** Copies image {@code i} as interleaved HWC (RGB) uint8 into {@code dst[off ..]}. */
    public void copyHwc(int i, byte[] dst, int off) {
        UnsafeBuffer buffer = pixels(i);
        int base = pixelOffset(i);
        int plane = geometry.planeSize();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < ImageGeometry.CHANNELS; c++) {
                dst[off + p * ImageGeometry.CHANNELS + c] = buffer.getByte(base + c * plane + p);
            }
        }
    }

    /** Counts images per class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images, " + numClasses() + " classes, " + geometry + ")";
    }
}
