package org.emodir.testdata;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.data.DataDirs;
import org.emodir.data.LabeledBatch;

/**
 * TEST-ONLY CIFAR-10 JPEG reader (the data branch owns the real loader): the first {@code perClass} files
 * (sorted names) of every class folder of a split, decoded with ImageIO, pixels/255 normalised with the
 * ImageNet mean/std, NCHW, served in batches that reuse one off-heap buffer.
 */
public final class CifarJpegSubset implements Iterable<LabeledBatch> {
    public static final int SIZE = 32;
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final List<Path> files = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final int batchSize;

    public CifarJpegSubset(String split, int perClass, int batchSize) {
        this.batchSize = batchSize;
        Path root = DataDirs.cifar10Jpg().resolve(split);
        try (Stream<Path> classes = Files.list(root)) {
            List<Path> dirs = classes.filter(Files::isDirectory).sorted().toList();
            if (dirs.size() != 10) throw new IllegalStateException(root + " must hold 10 class folders, found " + dirs.size());
            for (int c = 0; c < dirs.size(); c++) {
                try (Stream<Path> imgs = Files.list(dirs.get(c))) {
                    List<Path> sorted = imgs.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(perClass).toList();
                    if (sorted.size() < perClass) {
                        throw new IllegalStateException(dirs.get(c) + " has " + sorted.size() + " JPEGs, need " + perClass);
                    }
                    for (Path p : sorted) {
                        files.add(p);
                        labels.add(c);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    public int size() {
        return files.size();
    }

    @Override
    public Iterator<LabeledBatch> iterator() {
        UnsafeBuffer pixels = new UnsafeBuffer(BufferUtil.allocateDirectAligned(batchSize * 3 * SIZE * SIZE * Float.BYTES, 64));
        int[] lab = new int[batchSize];
        int[] idx = new int[batchSize];
        return new Iterator<>() {
            int next = 0;

            public boolean hasNext() {
                return next < files.size();
            }

            public LabeledBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int n = Math.min(batchSize, files.size() - next);
                for (int i = 0; i < n; i++) {
                    decode(files.get(next + i), pixels, i);
                    lab[i] = labels.get(next + i);
                    idx[i] = next + i;
                }
                next += n;
                return new LabeledBatch(pixels, lab, idx, n, 3, SIZE, SIZE);
            }
        };
    }

    private static void decode(Path file, UnsafeBuffer dst, int slot) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode " + file, e);
        }
        if (img == null || img.getWidth() != SIZE || img.getHeight() != SIZE) {
            throw new IllegalStateException(file + ": not a " + SIZE + "x" + SIZE + " image");
        }
        int plane = SIZE * SIZE;
        int base = slot * 3 * plane;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int rgb = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    float v = ((rgb >> (16 - 8 * c)) & 0xFF) / 255f;
                    dst.putFloat((base + c * plane + y * SIZE + x) * Float.BYTES, (v - MEAN[c]) / STD[c], ByteOrder.nativeOrder());
                }
            }
        }
    }
}
