package org.emodir.data;

/**
 * How every image of a dataset is stored: 3 channels (RGB), {@code height x width} uint8 pixels.
 *
 * <p>{@code resizeShorterSide == 0} means decoded images must already have exactly this size
 * (CIFAR). Otherwise the shorter side is first resized to {@code resizeShorterSide} (bilinear,
 * half-pixel centres, <b>no antialiasing</b> - like {@code torch.nn.functional.interpolate(...,
 * mode="bilinear", align_corners=False, antialias=False)}, not PIL's antialiased resize) and then
 * the centre {@code height x width} crop is kept. The ImageNet cache stores that final 224 crop, so
 * evaluation needs no further geometry work.
 */
public record ImageGeometry(int height, int width, int resizeShorterSide) {
    public static final int CHANNELS = 3;

    /** CIFAR-10/100: stored 32x32, no resizing. */
    public static final ImageGeometry CIFAR = new ImageGeometry(32, 32, 0);
    /** ImageNet evaluation: resize shorter side to 256, centre crop 224. */
    public static final ImageGeometry IMAGENET_EVAL = new ImageGeometry(224, 224, 256);

    public ImageGeometry {
        if (height <= 0 || width <= 0 || resizeShorterSide < 0) {
            throw new IllegalArgumentException("bad geometry " + height + "x" + width + " resize " + resizeShorterSide);
        }
        if (resizeShorterSide > 0 && resizeShorterSide < Math.max(height, width)) {
            throw new IllegalArgumentException(
                    "crop " + height + "x" + width + " does not fit in shorter side " + resizeShorterSide);
        }
    }

    public int channels() {
        return CHANNELS;
    }

    /** Bytes (= uint8 values) per stored image. */
    public int pixelsPerImage() {
        return CHANNELS * height * width;
    }

    public int planeSize() {
        return height * width;
    }

    @Override
    public String toString() {
        return height + "x" + width
                + (resizeShorterSide > 0 ? " (short side " + resizeShorterSide + ", centre crop)" : "");
    }
}
