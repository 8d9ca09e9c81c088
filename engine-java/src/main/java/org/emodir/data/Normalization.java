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

    /** Metadata keys of a weights file that name the statistics its model was trained with (comma-separated). */
    public static final String MEAN_KEY = "normalization_mean", STD_KEY = "normalization_std";

    /**
     * {@code imagenet}, or {@code m1,m2,m3/s1,s2,s3} (e.g. CIFAR-10's {@code 0.4914,0.4822,0.4465/0.2470,0.2435,0.2616}).
     */
    public static Normalization parse(String text) {
        if (text.equalsIgnoreCase("imagenet")) return IMAGENET;
        String[] parts = text.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "normalization must be imagenet or MEAN/STD (three numbers each), got " + text);
        }
        return new Normalization(floats(parts[0], text), floats(parts[1], text));
    }

    /** The statistics named in a weights file's metadata, or null when it names none. */
    public static Normalization fromMetadata(java.util.Map<String, String> metadata) {
        String mean = metadata.get(MEAN_KEY), std = metadata.get(STD_KEY);
        return mean == null || std == null ? null : parse(mean + "/" + std);
    }

    /** As {@link #parse} reads it. */
    public String text() {
        return join(mean) + "/" + join(std);
    }

    private static String join(float[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.toString();
    }

    private static float[] floats(String csv, String whole) {
        String[] p = csv.split(",");
        float[] v = new float[p.length];
        try {
            for (int i = 0; i < p.length; i++) v[i] = Float.parseFloat(p[i].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("normalization " + whole + ": not a number in " + csv, e);
        }
        return v;
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
