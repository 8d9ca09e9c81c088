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

    public Augmentation {
        if (pad < 0) {
            throw new IllegalArgumentException("pad must be >= 0, got " + pad);
        }
    }

    public CropFlip draw(long seed, int epoch, int index) {
        if (this.equals(NONE)) {
            return CropFlip.IDENTITY;
        }
        long r = SplitMix.mix(SplitMix.mix(SplitMix.mix(seed) ^ epoch) ^ index);
        int span = 2 * pad + 1;
        int dy = (int) Long.remainderUnsigned(r, span) - pad;
        int dx = (int) Long.remainderUnsigned(r >>> 20, span) - pad;
        boolean f = flip && ((r >>> 63) != 0);
        return new CropFlip(dy, dx, f);
    }
}
