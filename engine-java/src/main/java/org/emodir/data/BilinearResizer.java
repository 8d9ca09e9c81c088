package org.emodir.data;

/**
 * Resize-shorter-side then centre crop, fused so only the kept pixels are computed. Bilinear with
 * half-pixel centres and edge clamping, no antialiasing (torch {@code interpolate(mode="bilinear",
 * align_corners=False, antialias=False)}); sizes and crop offsets follow torchvision
 * ({@code Resize(s)}: long side {@code int(s * long / short)}; {@code CenterCrop}: offset
 * {@code round((size - crop) / 2)} with ties to even).
 */
final class BilinearResizer {
    private BilinearResizer() {}

    /** Resized {height, width} for a source of {@code srcH x srcW} and shorter side {@code s}. */
    public static int[] resizedSize(int srcH, int srcW, int s) {
        if (srcW <= srcH) {
            return new int[] {(int) ((long) s * srcH / srcW), s};
        }
        return new int[] {s, (int) ((long) s * srcW / srcH)};
    }

    /** Top-left offset of a centred crop of {@code crop} within {@code size}. */
    public static int centreOffset(int size, int crop) {
        return (int) Math.rint((size - crop) / 2.0);
    }

    /**
     * @param src   interleaved RGB uint8, {@code srcH x srcW x 3}
     * @param dst   receives planar CHW uint8 of {@code g.height() x g.width()}, from {@code off}
     */
    public static void resizeCrop(byte[] src, int srcH, int srcW, ImageGeometry g, byte[] dst, int off) {
        int[] size = resizedSize(srcH, srcW, g.resizeShorterSide());
        int top = centreOffset(size[0], g.height());
        int left = centreOffset(size[1], g.width());
        double scaleY = (double) srcH / size[0];
        double scaleX = (double) srcW / size[1];
        int w = g.width();
        int plane = g.planeSize();
        int[] x0 = new int[w];
        int[] x1 = new int[w];
        float[] fx = new float[w];
        for (int x = 0; x < w; x++) {
            double sx = Math.max(0.0, (x + left + 0.5) * scaleX - 0.5);
            x0[x] = Math.min((int) sx, srcW - 1);
            x1[x] = Math.min(x0[x] + 1, srcW - 1);
            fx[x] = (float) (sx - x0[x]);
        }
        for (int y = 0; y < g.height(); y++) {
            double sy = Math.max(0.0, (y + top + 0.5) * scaleY - 0.5);
            int y0 = Math.min((int) sy, srcH - 1);
            int y1 = Math.min(y0 + 1, srcH - 1);
            float fy = (float) (sy - y0);
            int r0 = y0 * srcW * 3;
            int r1 = y1 * srcW * 3;
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    float a = src[r0 + x0[x] * 3 + c] & 0xFF;
                    float b = src[r0 + x1[x] * 3 + c] & 0xFF;
                    float d = src[r1 + x0[x] * 3 + c] & 0xFF;
                    float e = src[r1 + x1[x] * 3 + c] & 0xFF;
                    float top0 = a + (b - a) * fx[x];
                    float bot0 = d + (e - d) * fx[x];
                    float v = top0 + (bot0 - top0) * fy;
                    dst[off + c * plane + y * w + x] = (byte) Math.min(255, Math.max(0, Math.round(v)));
                }
            }
        }
    }
}
