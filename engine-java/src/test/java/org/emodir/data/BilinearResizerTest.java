package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fused resize+crop against a naive full resize (double precision) followed by a crop. */
class BilinearResizerTest {
    @Test
    void sizesAndOffsetsFollowTorchvision() {
        assertArrayEquals(new int[] {256, 341}, BilinearResizer.resizedSize(375, 500, 256));
        assertArrayEquals(new int[] {341, 256}, BilinearResizer.resizedSize(500, 375, 256));
        assertArrayEquals(new int[] {256, 256}, BilinearResizer.resizedSize(300, 300, 256));
        assertEquals(58, BilinearResizer.centreOffset(341, 224)); // round(58.5) ties to even
        assertEquals(16, BilinearResizer.centreOffset(256, 224));
        assertEquals(60, BilinearResizer.centreOffset(344, 224)); // round(60.0)
    }

    @Test
    void matchesNaiveResizeThenCrop() {
        int[][] shapes = {{375, 500}, {500, 333}, {100, 90}, {256, 256}, {800, 1200}};
        for (int[] s : shapes) {
            check(s[0], s[1], new ImageGeometry(224, 224, 256));
        }
        check(40, 50, new ImageGeometry(20, 24, 32));
    }

    private void check(int h, int w, ImageGeometry g) {
        byte[] src = new byte[h * w * 3];
        new SplittableRandom(h * 31L + w).nextBytes(src);
        byte[] got = new byte[g.pixelsPerImage()];
        BilinearResizer.resizeCrop(src, h, w, g, got, 0);
        int[] size = BilinearResizer.resizedSize(h, w, g.resizeShorterSide());
        int oh = size[0];
        int ow = size[1];
        int top = BilinearResizer.centreOffset(oh, g.height());
        int left = BilinearResizer.centreOffset(ow, g.width());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < g.height(); y++) {
                for (int x = 0; x < g.width(); x++) {
                    double v = naive(src, h, w, oh, ow, c, y + top, x + left);
                    int expected = (int) Math.max(0, Math.min(255, Math.round(v)));
                    int actual = got[c * g.planeSize() + y * g.width() + x] & 0xFF;
                    // float vs double rounding can flip an exact .5 by one level
                    assertEquals(expected, actual, 1, h + "x" + w + " c" + c + " y" + y + " x" + x);
                }
            }
        }
    }

    /** Bilinear, align_corners=False: source coordinate (d + 0.5) * in/out - 0.5, clamped. */
    private static double naive(byte[] src, int h, int w, int oh, int ow, int c, int y, int x) {
        double sy = Math.max(0, (y + 0.5) * h / oh - 0.5);
        double sx = Math.max(0, (x + 0.5) * w / ow - 0.5);
        int y0 = Math.min((int) Math.floor(sy), h - 1);
        int x0 = Math.min((int) Math.floor(sx), w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        double ly = sy - y0;
        double lx = sx - x0;
        double a = src[(y0 * w + x0) * 3 + c] & 0xFF;
        double b = src[(y0 * w + x1) * 3 + c] & 0xFF;
        double d = src[(y1 * w + x0) * 3 + c] & 0xFF;
        double e = src[(y1 * w + x1) * 3 + c] & 0xFF;
        return (1 - ly) * ((1 - lx) * a + lx * b) + ly * ((1 - lx) * d + lx * e);
    }
}
