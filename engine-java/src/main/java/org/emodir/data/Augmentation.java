package org.emodir.data;

/**
 * Random crop with {@code pad}-pixel zero padding plus random horizontal flip (the standard CIFAR
 * training augmentation). Draws are a pure function of (seed, epoch, image index), so they do not
 * depend on batch order or thread scheduling.
 */
public record Augmentation(int pad, boolean flip) {
    /** CIFAR: 4-pixel padding, horizontal flip. */
    public static final Augmentation CIFAR = new Augmentation(4, true);

    public static final Augmentation NONE = new Augmentation(0, false);

    /**
     * Crop-and-flip for images stored at {@code geometry}: CIFAR's 4 px on 32x32, and the same relative translation
     * (an eighth of the side, 28 px at 224) for larger stored crops such as ImageNet's.
     */
    public static Augmentation cropFlipFor(ImageGeometry geometry) {
        return new Augmentation(Math.max(4, Math.min(geometry.height(), geometry.width()) / 8), true);
    }

    public Augmentation {
        if (pad < 0) {
            throw new IllegalArgumentException("pad must be >= 0, got " + pad);
        }
    }

    public CropFlip draw(long seed, int epoch, int index) {
        long r = random(seed, epoch, index);
        return new CropFlip(dy(r), dx(r), flip(r));
    }

    /** The random word behind one image's draw; {@link #dy}, {@link #dx}, {@link #flip} decode it allocation-free. */
    public long random(long seed, int epoch, int index) {
        return SplitMix.mix(SplitMix.mix(SplitMix.mix(seed) ^ epoch) ^ index);
    }

    public int dy(long random) {
        return (int) Long.remainderUnsigned(random, 2 * pad + 1) - pad;
    }

    public int dx(long random) {
        return (int) Long.remainderUnsigned(random >>> 20, 2 * pad + 1) - pad;
    }

    public boolean flip(long random) {
        return flip && (random >>> 63) != 0;
    }
}
