package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The real shared datasets. Decoded caches live in target/test-cache so repeated runs map them;
 * each decode happens at most once per clean build.
 */
class SharedImageFoldersTest {
    static final Path CACHE = Path.of("target", "test-cache");
    static final List<String> CIFAR10 =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    /** Independent reference decode: ImageIO + getRGB, interleaved RGB. */
    static int[] referenceRgb(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void cifar10JpgTestSplit() throws IOException {
        Path root = DataDirs.cifar10Jpg();
        ImageDataset ds = Datasets.cifar10Jpg(root, "test", CACHE);
        assertEquals(10_000, ds.size());
        assertEquals(CIFAR10, ds.classNames());
        int[] expected = new int[10];
        Arrays.fill(expected, 1000);
        assertArrayEquals(expected, ds.classCounts());
        // image i of class c is file NNNN.jpg, sorted: check a few against a direct decode
        for (int i : new int[] {0, 1234, 5999, 9999}) {
            int c = ds.label(i);
            Path file = root.resolve("test").resolve(CIFAR10.get(c)).resolve(String.format("%04d.jpg", i % 1000));
            int[] rgb = referenceRgb(file);
            byte[] hwc = new byte[3072];
            ds.copyHwc(i, hwc, 0);
            for (int p = 0; p < 1024; p++) {
                assertEquals((rgb[p] >> 16) & 0xFF, hwc[p * 3] & 0xFF, file + " R at " + p);
                assertEquals((rgb[p] >> 8) & 0xFF, hwc[p * 3 + 1] & 0xFF, file + " G at " + p);
                assertEquals(rgb[p] & 0xFF, hwc[p * 3 + 2] & 0xFF, file + " B at " + p);
            }
        }
        assertTrue(Datasets.cifar10Jpg(root, "test", CACHE).loadedFromCache());
    }

    @Test
    void cifar10JpgTrainSplitIndex() {
        ImageFolderIndex index = ImageFolderIndex.scan(DataDirs.cifar10Jpg().resolve("train"));
        assertEquals(50_000, index.size());
        assertEquals(CIFAR10, index.classNames());
        int[] counts = new int[10];
        for (int l : index.labels()) {
            counts[l]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, 5000);
        assertArrayEquals(expected, counts);
    }

    @Test
    void imagenetSampleAtEvalGeometry() throws IOException {
        Path root = DataDirs.imagenetSample();
        ImageDataset ds = Datasets.imagenetEval(root, CACHE);
        assertEquals(1000, ds.size());
        assertEquals(1000, ds.numClasses());
        assertEquals(ImageGeometry.IMAGENET_EVAL, ds.geometry());
        assertEquals("n01440764", ds.classNames().get(0));
        List<String> sorted = ds.classNames().stream().sorted().toList();
        assertEquals(sorted, ds.classNames());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, ds.label(i), "one image per class");
        }
        // colour image (500x375): resize 256 -> 341x256, crop at (16, 58)... against the reference decode
        Path tench = root.resolve("n01440764/n01440764_tench.JPEG");
        int[] rgb = referenceRgb(tench);
        BufferedImage img = ImageIO.read(tench.toFile());
        byte[] interleaved = new byte[rgb.length * 3];
        for (int p = 0; p < rgb.length; p++) {
            interleaved[p * 3] = (byte) (rgb[p] >> 16);
            interleaved[p * 3 + 1] = (byte) (rgb[p] >> 8);
            interleaved[p * 3 + 2] = (byte) rgb[p];
        }
        byte[] expected = new byte[ds.geometry().pixelsPerImage()];
        BilinearResizer.resizeCrop(interleaved, img.getHeight(), img.getWidth(), ds.geometry(), expected, 0);
        byte[] got = new byte[expected.length];
        ds.copyChw(0, got, 0);
        assertArrayEquals(expected, got);
        // greyscale JPEG (1 component): all three channels equal
        int grey = ds.classNames().indexOf("n02096051");
        ds.copyChw(grey, got, 0);
        int plane = ds.geometry().planeSize();
        for (int p = 0; p < plane; p++) {
            assertEquals(got[p], got[plane + p]);
            assertEquals(got[p], got[2 * plane + p]);
        }
    }
}
