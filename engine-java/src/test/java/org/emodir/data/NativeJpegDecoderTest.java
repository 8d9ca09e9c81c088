package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libjpeg-turbo decoding against javax.imageio on real ImageNet-sample and CIFAR-10 JPEGs, and its failures. */
class NativeJpegDecoderTest {
    static final ImageGeometry G = ImageGeometry.IMAGENET_EVAL;

    static List<Path> imagenetFiles(int n) throws IOException {
        try (Stream<Path> s = Files.walk(DataDirs.imagenetSample())) {
            List<Path> all =
                    s.filter(p -> p.toString().endsWith(".JPEG")).sorted().toList();
            return java.util.stream.IntStream.range(0, n)
                    .mapToObj(i -> all.get(i * 97 % all.size()))
                    .toList();
        }
    }

    /** {mean, max} absolute difference of two uint8 arrays. */
    static double[] diff(byte[] a, byte[] b) {
        double sum = 0, max = 0;
        for (int i = 0; i < a.length; i++) {
            int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        return new double[] {sum / a.length, max};
    }

    /** Mean abs difference of {@code a} shifted by (dy, dx) against {@code b}, over the interior of the crop. */
    static double shiftedDiff(byte[] a, byte[] b, int dy, int dx) {
        int w = G.width(), plane = G.planeSize();
        double sum = 0;
        int n = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 2; y < G.height() - 2; y++) {
                for (int x = 2; x < w - 2; x++, n++) {
                    sum += Math.abs((a[c * plane + (y + dy) * w + x + dx] & 0xFF) - (b[c * plane + y * w + x] & 0xFF));
                }
            }
        }
        return sum / n;
    }

    @Test
    void fullSizeDecodeMatchesImageIoAndDctScalingKeepsTheGeometry() throws IOException {
        byte[] io = new byte[G.pixelsPerImage()], full = new byte[io.length], scaled = new byte[io.length];
        double worstFull = 0, sumScaled = 0;
        List<Path> files = imagenetFiles(16);
        for (Path f : files) {
            ImageDecoder.decode(f, G, io, 0);
            NativeJpegDecoder.decode(f, G, full, 0, NativeJpegDecoder.DctScaling.NONE);
            NativeJpegDecoder.decode(f, G, scaled, 0, NativeJpegDecoder.DctScaling.ANY);
            double[] d = diff(io, full);
            worstFull = Math.max(worstFull, d[0]);
            assertTrue(
                    d[0] < 0.5 && d[1] <= 16, f + ": full-size libjpeg-turbo vs imageio mean/max " + d[0] + "/" + d[1]);
            // DCT scaling changes fine texture, not where things are: the unshifted comparison is the closest
            double centre = shiftedDiff(scaled, io, 0, 0);
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    if (dy != 0 || dx != 0) {
                        assertTrue(
                                centre < shiftedDiff(scaled, io, dy, dx),
                                f + ": best match shifted by " + dy + "," + dx);
                    }
                }
            }
            sumScaled += centre;
        }
        System.out.printf(
                "libjpeg-turbo vs imageio at 256/224: full size worst mean abs diff %.3f, DCT-scaled mean abs diff %.2f%n",
                worstFull, sumScaled / files.size());
        assertTrue(
                sumScaled / files.size() < 6, "DCT-scaled pixels stay close on average: " + sumScaled / files.size());
    }

    @Test
    void decodingOnlyTheCropsRegionGivesTheWholeImageDecodesPixels() throws IOException {
        byte[] region = new byte[G.pixelsPerImage()], whole = new byte[region.length];
        for (Path f : imagenetFiles(48)) {
            for (NativeJpegDecoder.DctScaling s : NativeJpegDecoder.DctScaling.values()) {
                NativeJpegDecoder.decode(f, G, region, 0, s, false);
                NativeJpegDecoder.decode(f, G, whole, 0, s, true);
                assertArrayEquals(whole, region, f + " at scaling " + s);
            }
        }
    }

    @Test
    void cifarImagesAtStoredSizeDecodeAsImageIo() throws IOException {
        Path dir = DataDirs.cifar10Jpg().resolve("test").resolve("cat");
        byte[] io = new byte[ImageGeometry.CIFAR.pixelsPerImage()], turbo = new byte[io.length];
        for (String name : new String[] {"0000.jpg", "0421.jpg", "0999.jpg"}) {
            ImageDecoder.decode(dir.resolve(name), ImageGeometry.CIFAR, io, 0);
            NativeJpegDecoder.decode(dir.resolve(name), ImageGeometry.CIFAR, turbo, 0);
            double[] d = diff(io, turbo);
            assertTrue(d[0] < 0.5 && d[1] <= 8, name + ": mean/max " + d[0] + "/" + d[1]);
        }
    }

    @Test
    void greyscaleJpegGivesThreeEqualChannels() throws IOException {
        Path grey;
        try (Stream<Path> s = Files.list(DataDirs.imagenetSample().resolve("n02096051"))) {
            grey = s.findFirst().orElseThrow();
        }
        byte[] px = new byte[G.pixelsPerImage()];
        NativeJpegDecoder.decode(grey, G, px, 0);
        int plane = G.planeSize();
        for (int p = 0; p < plane; p++) {
            assertEquals(px[p], px[plane + p]);
            assertEquals(px[p], px[2 * plane + p]);
        }
    }

    @Test
    void truncatedJpegFailsNamingTheFile(@TempDir Path dir) throws IOException {
        Path src = imagenetFiles(1).get(0);
        byte[] whole = Files.readAllBytes(src);
        Path bad = dir.resolve("cut.JPEG");
        Files.write(bad, java.util.Arrays.copyOf(whole, whole.length / 2));
        var e = assertThrows(
                DatasetException.class, () -> NativeJpegDecoder.decode(bad, G, new byte[G.pixelsPerImage()], 0));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("Premature end"), e.getMessage());
        Path garbage = dir.resolve("garbage.JPEG");
        Files.write(garbage, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        e = assertThrows(
                DatasetException.class, () -> NativeJpegDecoder.decode(garbage, G, new byte[G.pixelsPerImage()], 0));
        assertTrue(e.getMessage().contains(garbage.toString()), e.getMessage());
    }

    @Test
    void pngNamedJpegFallsBackToImageIo(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(300, 260, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 260; y++) for (int x = 0; x < 300; x++) img.setRGB(x, y, (x * 7 + y * 3) & 0xFFFFFF);
        Path png = dir.resolve("really_a_png.JPEG");
        ImageIO.write(img, "png", png.toFile());
        byte[] a = new byte[G.pixelsPerImage()], b = new byte[a.length];
        ImageDecoder.decode(png, G, a, 0);
        NativeJpegDecoder.decode(png, G, b, 0);
        assertArrayEquals(a, b);
    }
}
