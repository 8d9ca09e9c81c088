package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Normalisation and crop/flip against a naive pad-crop-flip-normalise in double precision. */
class BatchAssemblerTest {
    private static final double TOL = 1e-5;
    private final ImageDataset ds = TestImages.random(6, 3, ImageGeometry.CIFAR, 7);
    private final float[] mean = {0.485f, 0.456f, 0.406f};
    private final float[] std = {0.229f, 0.224f, 0.225f};

    /** torchvision order: pad with zeros, crop at (pad + dy, pad + dx), flip, then ToTensor + Normalize. */
    private double naive(int img, int c, int y, int x, int pad, CropFlip a) {
        int h = 32;
        int w = 32;
        byte[] chw = new byte[3 * h * w];
        ds.copyChw(img, chw, 0);
        int[][] padded = new int[h + 2 * pad][w + 2 * pad];
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                padded[yy + pad][xx + pad] = chw[c * h * w + yy * w + xx] & 0xFF;
            }
        }
        int[][] crop = new int[h][w];
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                crop[yy][xx] = padded[yy + pad + a.dy()][xx + pad + a.dx()];
            }
        }
        int v = a.flip() ? crop[y][w - 1 - x] : crop[y][x];
        return (v / 255.0 - mean[c]) / std[c];
    }

    @Test
    void identityEqualsNaiveNormalisation() {
        BatchAssembler asm = new BatchAssembler(ds, Normalization.IMAGENET);
        UnsafeBuffer out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2 * asm.imageBytes(), 64));
        asm.fill(new int[] {4, 1}, 2, out);
        int[] imgs = {4, 1};
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        float got = TestImages.at(out, ((n * 3 + c) * 32 + y) * 32 + x);
                        assertEquals(naive(imgs[n], c, y, x, 0, CropFlip.IDENTITY), got, TOL);
                    }
                }
            }
        }
    }

    @Test
    void cropAndFlipEqualNaive() {
        BatchAssembler asm = new BatchAssembler(ds, Normalization.IMAGENET);
        UnsafeBuffer out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(asm.imageBytes(), 64));
        CropFlip[] cases = {
            new CropFlip(-4, 3, false),
            new CropFlip(2, -4, true),
            new CropFlip(4, 4, true),
            new CropFlip(0, 0, true),
            new CropFlip(-1, -2, false)
        };
        for (CropFlip a : cases) {
            asm.put(3, a, out, 0);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        float got = TestImages.at(out, (c * 32 + y) * 32 + x);
                        assertEquals(naive(3, c, y, x, 4, a), got, TOL, a + " at c" + c + " y" + y + " x" + x);
                    }
                }
            }
        }
    }

    @Test
    void drawsCoverEveryOffsetAndBothFlipsDeterministically() {
        Set<String> seen = new HashSet<>();
        int flips = 0;
        for (int i = 0; i < 5000; i++) {
            CropFlip a = Augmentation.CIFAR.draw(11, 2, i);
            assertEquals(a, Augmentation.CIFAR.draw(11, 2, i));
            assertTrue(Math.abs(a.dx()) <= 4 && Math.abs(a.dy()) <= 4, a.toString());
            seen.add(a.dy() + "," + a.dx());
            flips += a.flip() ? 1 : 0;
        }
        assertEquals(81, seen.size());
        assertTrue(flips > 2200 && flips < 2800, "flip rate " + flips + "/5000");
        assertEquals(CropFlip.IDENTITY, Augmentation.NONE.draw(11, 2, 5));
    }

    @Test
    void rejectsTooSmallBuffer() {
        BatchAssembler asm = new BatchAssembler(ds, Normalization.IMAGENET);
        UnsafeBuffer out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(asm.imageBytes(), 64));
        assertThrows(IllegalArgumentException.class, () -> asm.fill(new int[] {0, 1}, 2, out));
    }
}
