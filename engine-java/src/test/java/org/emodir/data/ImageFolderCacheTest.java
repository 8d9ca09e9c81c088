package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapped cache on a tiny ImageFolder copied from the shared CIFAR-10 JPEGs. */
class ImageFolderCacheTest {
    @TempDir
    Path tmp;

    Path root;
    Path cache;

    @BeforeEach
    void copyImages() throws IOException {
        Path src = DataDirs.cifar10Jpg().resolve("test");
        assertTrue(Files.isDirectory(src), "shared CIFAR-10 jpg test split missing at " + src);
        root = tmp.resolve("folder");
        cache = tmp.resolve("cache");
        for (String cls : List.of("bird", "airplane")) {
            Files.createDirectories(root.resolve(cls));
            for (String f : List.of("0000.jpg", "0001.jpg", "0002.jpg")) {
                Files.copy(src.resolve(cls).resolve(f), root.resolve(cls).resolve(f));
            }
        }
    }

    private ImageDataset open() {
        return Datasets.imageFolder(root, ImageGeometry.CIFAR, cache);
    }

    private Path cacheFile() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), "exactly one cache file, no temp leftovers: " + files);
            return files.get(0);
        }
    }

    private static byte[] pixels(ImageDataset ds) {
        byte[] all = new byte[ds.size() * ds.geometry().pixelsPerImage()];
        for (int i = 0; i < ds.size(); i++) {
            ds.copyChw(i, all, i * ds.geometry().pixelsPerImage());
        }
        return all;
    }

    @Test
    void secondOpenMapsTheCacheWithIdenticalContent() throws IOException {
        ImageDataset first = open();
        assertFalse(first.loadedFromCache());
        assertEquals(List.of("airplane", "bird"), first.classNames());
        assertArrayEquals(new int[] {3, 3}, first.classCounts());
        assertEquals(0, first.label(0));
        assertEquals(1, first.label(3));
        long modified = Files.getLastModifiedTime(cacheFile()).toMillis();
        ImageDataset second = open();
        assertTrue(second.loadedFromCache());
        assertEquals(modified, Files.getLastModifiedTime(cacheFile()).toMillis(), "cache was not rewritten");
        assertArrayEquals(pixels(first), pixels(second));
        assertArrayEquals(pixels(Datasets.imageFolder(root, ImageGeometry.CIFAR, null)), pixels(second));
    }

    @Test
    void segmentedMappingReadsTheSameFile() throws IOException {
        byte[] whole = pixels(open());
        ImageFolderIndex index = ImageFolderIndex.scan(root);
        ImageDataset built = ImageCache.openOrBuild("seg", index, ImageGeometry.CIFAR, cache, 2, 2 * 3072 + 100);
        assertFalse(built.loadedFromCache());
        assertArrayEquals(whole, pixels(built), "written through 3 segments of 2 images");
        assertEquals(2 * 3072, built.pixelOffset(5) + 3072);
        ImageDataset mapped = ImageCache.openOrBuild("seg", index, ImageGeometry.CIFAR, cache, 2, 3072);
        assertTrue(mapped.loadedFromCache());
        assertArrayEquals(whole, pixels(mapped), "mapped as 6 segments of 1 image");
        assertEquals(0, mapped.pixelOffset(5));
        byte[] hwcWhole = new byte[3072];
        byte[] hwcSeg = new byte[3072];
        open().copyHwc(5, hwcWhole, 0);
        mapped.copyHwc(5, hwcSeg, 0);
        assertArrayEquals(hwcWhole, hwcSeg);
    }

    @Test
    void addedImageMakesCacheStale() throws IOException {
        open();
        Files.copy(root.resolve("bird/0000.jpg"), root.resolve("bird/0003.jpg"));
        ImageDataset ds = open();
        assertFalse(ds.loadedFromCache());
        assertEquals(7, ds.size());
        assertTrue(open().loadedFromCache());
        cacheFile();
    }

    @Test
    void replacedImageOfOtherSizeMakesCacheStale() throws IOException {
        ImageDataset before = open();
        byte[] old = new byte[3072];
        before.copyChw(0, old, 0);
        Files.copy(
                root.resolve("bird/0001.jpg"),
                root.resolve("airplane/0000.jpg"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ImageDataset after = open();
        byte[] now = new byte[3072];
        after.copyChw(0, now, 0);
        byte[] bird = new byte[3072];
        after.copyChw(4, bird, 0);
        assertFalse(after.loadedFromCache());
        assertArrayEquals(bird, now);
    }

    @Test
    void rewrittenFileOfSameSizeMakesCacheStale() throws IOException {
        open();
        Path f = root.resolve("bird/0002.jpg");
        Files.setLastModifiedTime(
                f,
                java.nio.file.attribute.FileTime.fromMillis(
                        Files.getLastModifiedTime(f).toMillis() - 60_000));
        assertFalse(open().loadedFromCache());
        assertTrue(open().loadedFromCache());
    }

    @Test
    void corruptOrTruncatedCacheIsRebuilt() throws IOException {
        byte[] expected = pixels(open());
        try (RandomAccessFile f = new RandomAccessFile(cacheFile().toFile(), "rw")) {
            f.seek(0);
            f.write(0x55);
        }
        ImageDataset rebuilt = open();
        assertFalse(rebuilt.loadedFromCache());
        assertArrayEquals(expected, pixels(rebuilt));
        try (RandomAccessFile f = new RandomAccessFile(cacheFile().toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }
        assertFalse(open().loadedFromCache());
        assertTrue(open().loadedFromCache());
    }

    @Test
    void emptyClassFolderIsNamed() throws IOException {
        Files.createDirectories(root.resolve("cat"));
        DatasetException e = assertThrows(DatasetException.class, this::open);
        assertTrue(e.getMessage().contains("cat"), e.getMessage());
    }

    @Test
    void unreadableImageIsNamed() throws IOException {
        Files.writeString(root.resolve("bird/0001.jpg"), "not a jpeg");
        DatasetException e = assertThrows(DatasetException.class, this::open);
        assertTrue(e.getMessage().contains("0001.jpg") && e.getMessage().contains("unreadable"), e.getMessage());
        assertFalse(Files.exists(cache) && Files.list(cache).findAny().isPresent(), "no cache left behind");
    }

    @Test
    void wrongImageSizeIsNamed() throws IOException {
        ImageIO.write(
                new BufferedImage(40, 30, BufferedImage.TYPE_3BYTE_BGR),
                "png",
                root.resolve("bird/big.png").toFile());
        DatasetException e = assertThrows(DatasetException.class, this::open);
        assertTrue(e.getMessage().contains("big.png") && e.getMessage().contains("30x40"), e.getMessage());
    }

    @Test
    void pngAndGreyImagesDecodeToRgb() throws IOException {
        BufferedImage grey = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(5, 7, 0, 100);
        ImageIO.write(grey, "png", root.resolve("bird/zz.PNG").toFile());
        ImageDataset ds = Datasets.imageFolder(root, ImageGeometry.CIFAR, null);
        assertEquals(7, ds.size());
        byte[] chw = new byte[3072];
        ds.copyChw(6, chw, 0);
        for (int c = 0; c < 3; c++) {
            assertEquals(100, chw[c * 1024 + 7 * 32 + 5] & 0xFF, "grey value replicated without gamma, channel " + c);
            assertEquals(0, chw[c * 1024] & 0xFF);
        }
    }
}
