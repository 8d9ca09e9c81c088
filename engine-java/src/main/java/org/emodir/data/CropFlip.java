package org.emodir.data;

/**
 * One image's augmentation: output pixel {@code (y, x)} reads source pixel
 * {@code (y + dy, x' + dx)} with {@code x' = flip ? w - 1 - x : x}; sources outside the image are
 * black (0 before normalisation, as torchvision's {@code RandomCrop(padding=4)} pads before
 * {@code Normalize}). {@code dy, dx} lie in {@code [-pad, pad]}.
 */
public record CropFlip(int dy, int dx, boolean flip) {
    public static final CropFlip IDENTITY = new CropFlip(0, 0, false);
}
