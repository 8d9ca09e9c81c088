package org.emodir.data;

import java.util.Arrays;

/** Per-channel {@code (pixel / 255 - mean) / std}. */
public record Normalization(float[] mean, float[] std) {
    /** ImageNet statistics; the shared CIFAR-10 models were trained with these too (shared/README.md). */
    public static final Normalization IMAGENET =
            new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    public Normalization {
        if (mean.length != ImageGeometry.CHANNELS || std.length != ImageGeometry.CHANNELS) {
            throw new IllegalArgumentException(
                    "mean/std need " + ImageGeometry.CHANNELS + " channels, got " + mean.length + "/" + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive: " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Look-up table {@code lut[c * 256 + v]}: a uint8 value can take only 256 values per channel. */
    public float[] lookupTable() {
        float[] lut = new float[ImageGeometry.CHANNELS * 256];
        for (int c = 0; c < ImageGeometry.CHANNELS; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c * 256 + v] = (v / 255f - mean[c]) / std[c];
            }
        }
        return lut;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }
}
