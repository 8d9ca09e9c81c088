package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryReaderTest {
    @TempDir
    Path dir;

    /** Writes {@code records} random records per file; returns the concatenated record bytes. */
    private byte[] writeSplit(CifarFormat f, String split, int records, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        var all = new java.io.ByteArrayOutputStream();
        for (String name : f.files(split)) {
            byte[] data = new byte[records * f.recordBytes()];
            rnd.nextBytes(data);
            for (int r = 0; r < records; r++) {
                for (int l = 0; l < f.labelBytes(); l++) {
                    data[r * f.recordBytes() + l] = (byte) rnd.nextInt(f == CifarFormat.CIFAR10 ? 10 : 20);
                }
                data[r * f.recordBytes() + f.labelIndex()] = (byte) rnd.nextInt(f.numClasses());
            }
            Files.write(dir.resolve(name), data);
            all.writeBytes(data);
        }
        return all.toByteArray();
    }

    private void assertRoundTrip(CifarFormat f, String split, ImageDataset ds, byte[] raw, int total) {
        assertEquals(total, ds.size());
        assertEquals(f.numClasses(), ds.numClasses());
        assertEquals(ImageGeometry.CIFAR, ds.geometry());
        byte[] chw = new byte[CifarFormat.PIXEL_BYTES];
        byte[] hwc = new byte[CifarFormat.PIXEL_BYTES];
        for (int i = 0; i < total; i++) {
            int rec = i * f.recordBytes();
            assertEquals(raw[rec + f.labelIndex()] & 0xFF, ds.label(i), "label of record " + i);
            ds.copyChw(i, chw, 0);
            byte[] expected = java.util.Arrays.copyOfRange(raw, rec + f.labelBytes(), rec + f.recordBytes());
            assertArrayEquals(expected, chw, "pixels of record " + i);
            ds.copyHwc(i, hwc, 0);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(expected[c * 1024 + y * 32 + x], hwc[(y * 32 + x) * 3 + c]);
                    }
                }
            }
        }
    }

    @Test
    void cifar10RoundTripAcrossAllTrainBatches() throws IOException {
        byte[] raw = writeSplit(CifarFormat.CIFAR10, "train", 3, 1);
        ImageDataset ds = Datasets.cifar10Binary(dir, "train");
        assertRoundTrip(CifarFormat.CIFAR10, "train", ds, raw, 15);
        assertEquals("airplane", ds.classNames().get(0));
        assertEquals("truck", ds.classNames().get(9));
    }

    @Test
    void cifar100UsesFineLabelAndNamesFile() throws IOException {
        byte[] raw = writeSplit(CifarFormat.CIFAR100, "test", 7, 2);
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            names.append("fine").append(i).append('\n');
        }
        Files.writeString(dir.resolve("fine_label_names.txt"), names);
        ImageDataset ds = Datasets.cifar100Binary(dir, "test");
        assertRoundTrip(CifarFormat.CIFAR100, "test", ds, raw, 7);
        assertEquals("fine42", ds.classNames().get(42));
    }

    @Test
    void findsOfficialSubfolder() throws IOException {
        Path sub = dir.resolve("cifar-10-batches-bin");
        Files.createDirectories(sub);
        Files.write(sub.resolve("test_batch.bin"), new byte[2 * 3073]);
        assertEquals(2, Datasets.cifar10Binary(dir, "test").size());
    }

    @Test
    void truncatedFileNamesFileAndRecord() throws IOException {
        Files.write(dir.resolve("test_batch.bin"), new byte[3 * 3073 + 100]);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.cifar10Binary(dir, "test"));
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("record 3"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptLabelNamesFileAndRecord() throws IOException {
        byte[] data = new byte[4 * 3073];
        data[2 * 3073] = (byte) 200;
        Files.write(dir.resolve("test_batch.bin"), data);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.cifar10Binary(dir, "test"));
        assertTrue(
                e.getMessage().contains("test_batch.bin")
                        && e.getMessage().contains("record 2")
                        && e.getMessage().contains("200"),
                e.getMessage());
    }

    @Test
    void cifar100FileReadAsCifar10IsRejected() throws IOException {
        Files.write(dir.resolve("test_batch.bin"), new byte[3074 * 3]); // 9222 = 3 * 3073 + 3
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.cifar10Binary(dir, "test"));
        assertTrue(e.getMessage().contains("3073"), e.getMessage());
    }

    @Test
    void missingBatchFileIsNamed() throws IOException {
        writeSplit(CifarFormat.CIFAR10, "train", 1, 3);
        Files.delete(dir.resolve("data_batch_4.bin"));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.cifar10Binary(dir, "train"));
        assertTrue(e.getMessage().contains("data_batch_4.bin"), e.getMessage());
    }
}
