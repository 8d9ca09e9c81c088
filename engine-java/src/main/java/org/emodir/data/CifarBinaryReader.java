package org.emodir.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/** Reads an official CIFAR-10/100 binary split into an off-heap {@link ImageDataset}. */
final class CifarBinaryReader {
    private CifarBinaryReader() {}

    /**
     * @param dir   the folder holding the batch files, or its parent holding
     *              {@link CifarFormat#folderName()}
     * @param split "train" or "test"
     */
    public static ImageDataset read(CifarFormat format, Path dir, String split) {
        Path folder = Files.isDirectory(dir.resolve(format.folderName())) ? dir.resolve(format.folderName()) : dir;
        List<String> files = format.files(split);
        long total = 0;
        long[] counts = new long[files.size()];
        for (int f = 0; f < files.size(); f++) {
            Path file = folder.resolve(files.get(f));
            counts[f] = recordCount(format, file);
            total += counts[f];
        }
        if ((long) total * CifarFormat.PIXEL_BYTES > Integer.MAX_VALUE) {
            throw new DatasetException(folder + ": " + total + " records exceed one 2 GiB buffer");
        }
        int n = (int) total;
        UnsafeBuffer pixels =
                new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(1, n * CifarFormat.PIXEL_BYTES), 64));
        int[] labels = new int[n];
        byte[] record = new byte[format.recordBytes()];
        int next = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = folder.resolve(files.get(f));
            try (InputStream in = Files.newInputStream(file)) {
                for (int r = 0; r < counts[f]; r++) {
                    if (in.readNBytes(record, 0, record.length) != record.length) {
                        throw new DatasetException(file + ": file shrank while reading record " + r);
                    }
                    int label = record[format.labelIndex()] & 0xFF;
                    if (label >= format.numClasses()) {
                        throw new DatasetException(file + ": record " + r + " has label " + label
                                + ", expected 0.." + (format.numClasses() - 1) + " (corrupt file or wrong format "
                                + format + ")");
                    }
                    labels[next] = label;
                    pixels.putBytes(
                            next * CifarFormat.PIXEL_BYTES, record, format.labelBytes(), CifarFormat.PIXEL_BYTES);
                    next++;
                }
            } catch (IOException e) {
                throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        return new ImageDataset(
                format.name().toLowerCase() + "-" + split,
                classNames(format, folder),
                labels,
                ImageGeometry.CIFAR,
                PixelSegments.single(pixels, CifarFormat.PIXEL_BYTES, n),
                false);
    }

    private static long recordCount(CifarFormat format, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": missing " + format + " batch file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot stat: " + e.getMessage(), e);
        }
        long records = size / format.recordBytes();
        if (size % format.recordBytes() != 0) {
            throw new DatasetException(file + ": truncated: " + size + " bytes is not a multiple of the "
                    + format.recordBytes() + "-byte " + format + " record; record " + records + " has only "
                    + (size % format.recordBytes()) + " bytes");
        }
        if (records == 0) {
            throw new DatasetException(file + ": empty " + format + " batch file");
        }
        return records;
    }

    private static List<String> classNames(CifarFormat format, Path folder) {
        Path names = folder.resolve(format.namesFile());
        if (!Files.isRegularFile(names)) {
            return format.defaultNames();
        }
        try {
            List<String> list = new ArrayList<>();
            for (String line : Files.readAllLines(names)) {
                if (!line.isBlank()) {
                    list.add(line.strip());
                }
            }
            if (list.size() != format.numClasses()) {
                throw new DatasetException(
                        names + ": lists " + list.size() + " class names, " + format + " has " + format.numClasses());
            }
            return list;
        } catch (IOException e) {
            throw new DatasetException(names + ": cannot read: " + e.getMessage(), e);
        }
    }
}
