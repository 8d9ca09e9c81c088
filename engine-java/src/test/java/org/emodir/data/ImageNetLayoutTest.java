package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImageNet trees built from the shared one-image-per-class sample (symlinks): class-folder and flat validation
 * splits (Kaggle CSV, devkit ground truth), class subsets, and the bad inputs each failing with the file named.
 */
class ImageNetLayoutTest {
    static final Path SAMPLE = DataDirs.imagenetSample();

    static List<String> sampleClasses() throws IOException {
        try (Stream<Path> s = Files.list(SAMPLE)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static Path sampleImage(String wnid) throws IOException {
        try (Stream<Path> s = Files.list(SAMPLE.resolve(wnid))) {
            return s.findFirst().orElseThrow();
        }
    }

    /**
     * {@code train/<wnid>/} for {@code wnids} (the sample image twice, as two files) and a flat {@code val/} of
     * {@code ILSVRC2012_val_<k>.JPEG}, image k of class {@code wnids[(k - 1) % n]} in reverse order, so that file
     * order and label order differ.
     */
    static List<String> build(Path root, List<String> wnids) throws IOException {
        List<String> valClasses = new ArrayList<>();
        for (String w : wnids) {
            Path dir = Files.createDirectories(root.resolve("train").resolve(w));
            Files.createSymbolicLink(dir.resolve(w + "_1.JPEG"), sampleImage(w));
            Files.createSymbolicLink(dir.resolve(w + "_2.JPEG"), sampleImage(w));
        }
        Path val = Files.createDirectories(root.resolve("val"));
        for (int k = 1; k <= wnids.size(); k++) {
            String w = wnids.get(wnids.size() - k);
            Files.createSymbolicLink(val.resolve(valName(k) + ".JPEG"), sampleImage(w));
            valClasses.add(w);
        }
        return valClasses;
    }

    static String valName(int k) {
        return String.format("ILSVRC2012_val_%08d", k);
    }

    static void writeLocCsv(Path file, List<String> valClasses) throws IOException {
        StringBuilder sb = new StringBuilder("ImageId,PredictionString\n");
        // Kaggle's rows are not in image order: write them backwards.
        for (int k = valClasses.size(); k >= 1; k--) {
            sb.append(valName(k))
                    .append(',')
                    .append(valClasses.get(k - 1))
                    .append(" 10 20 200 300 ")
                    .append(valClasses.get(k - 1))
                    .append(" 1 2 3 4 \n");
        }
        Files.writeString(file, sb);
    }

    @Test
    void thousandClassTreeWithKaggleCsv(@TempDir Path root) throws IOException {
        List<String> wnids = sampleClasses();
        assertEquals(1000, wnids.size());
        List<String> valClasses = build(root, wnids);
        writeLocCsv(root.resolve(ImageNetLayout.LOC_CSV), valClasses);

        ImageFolderIndex train =
                ImageNetLayout.index(root, "train", ClassSelection.ALL, false).index();
        assertEquals(wnids, train.classNames());
        assertEquals(2000, train.size());
        assertEquals(999, train.labels()[1999]);
        ImageNetLayout.Listing val = ImageNetLayout.index(root, "val", ClassSelection.ALL, false);
        assertEquals(1000, val.index().size());
        assertTrue(val.skipped().isEmpty());
        for (int i = 0; i < 1000; i++) {
            String file = val.index().files().get(i).getFileName().toString();
            assertEquals(valName(i + 1) + ".JPEG", file);
            assertEquals(wnids.indexOf(valClasses.get(i)), val.index().labels()[i], file);
        }
        assertEquals(999, val.index().labels()[0], "val 1 is the last class");
    }

    @Test
    void imagenet100SubsetDecodesLikeTheClassFolders(@TempDir Path root) throws IOException {
        ClassSelection sel = ClassSelection.parse("imagenet100");
        assertEquals(100, sel.classes().size());
        assertEquals(sel.classes().stream().sorted().toList(), sel.classes());
        assertEquals("n01558993", sel.classes().get(0));
        List<String> valClasses = build(root, sampleClasses());
        writeLocCsv(root.resolve("val").resolve(ImageNetLayout.LOC_CSV), valClasses);

        ImageDataset val = Datasets.imageNet(root, "val", sel, false, root.resolve("cache"));
        assertEquals(100, val.size());
        assertEquals(sel.classes(), val.classNames());
        ImageDataset train = Datasets.imageNet(root, "train", sel, false, null);
        assertEquals(200, train.size());
        // every val image decodes to the pixels of its class's train image (same file, same geometry)
        byte[] a = new byte[val.geometry().pixelsPerImage()];
        byte[] b = new byte[a.length];
        for (int i = 0; i < val.size(); i++) {
            val.copyChw(i, a, 0);
            train.copyChw(2 * val.label(i), b, 0);
            assertEquals(val.label(i), train.label(2 * val.label(i)));
            assertArrayEquals(b, a, "val image " + i);
        }
        assertTrue(Datasets.imageNet(root, "val", sel, false, root.resolve("cache"))
                .loadedFromCache());
    }

    @Test
    void classListFileAndItsErrors(@TempDir Path root) throws IOException {
        List<String> wnids = sampleClasses().subList(0, 5);
        build(root, wnids);
        Path list = root.resolve("classes.txt");
        Files.writeString(list, "# two classes\n" + wnids.get(3) + "\n" + wnids.get(1) + "\n");
        ImageFolderIndex idx = ImageNetLayout.index(root, "train", ClassSelection.parse(list.toString()), false)
                .index();
        assertEquals(List.of(wnids.get(1), wnids.get(3)), idx.classNames());
        assertEquals(4, idx.size());

        Files.writeString(list, wnids.get(0) + "\nn99999999\n");
        var e = assertThrows(
                DatasetException.class,
                () -> ImageNetLayout.index(root, "train", ClassSelection.parse(list.toString()), false));
        assertTrue(e.getMessage().contains("n99999999") && e.getMessage().contains("train"), e.getMessage());
        Files.writeString(list, wnids.get(0) + "\ndog\n");
        e = assertThrows(DatasetException.class, () -> ClassSelection.parse(list.toString()));
        assertTrue(e.getMessage().contains("classes.txt line 2"), e.getMessage());
        e = assertThrows(
                DatasetException.class,
                () -> ClassSelection.parse(root.resolve("nope.txt").toString()));
        assertTrue(e.getMessage().contains("nope.txt"), e.getMessage());
    }

    @Test
    void devkitGroundTruthMapsIdsThroughTheSynsetOrder(@TempDir Path root) throws IOException {
        List<String> wnids = sampleClasses().subList(0, 6);
        List<String> valClasses = build(root, wnids);
        // devkit ids follow meta.mat's order, not the sorted one: use a rotated order
        List<String> order = new ArrayList<>(wnids.subList(2, 6));
        order.addAll(wnids.subList(0, 2));
        Path data =
                Files.createDirectories(root.resolve("ILSVRC2012_devkit_t12").resolve("data"));
        StringBuilder truth = new StringBuilder();
        for (String w : valClasses) truth.append(order.indexOf(w) + 1).append('\n');
        Files.writeString(data.resolve(ImageNetLayout.DEVKIT_TRUTH), truth);
        var e = assertThrows(
                DatasetException.class, () -> ImageNetLayout.index(root, "val", ClassSelection.ALL, false));
        assertTrue(e.getMessage().contains(ImageNetLayout.DEVKIT_SYNSETS), e.getMessage());

        Files.writeString(data.resolve(ImageNetLayout.DEVKIT_SYNSETS), String.join("\n", order) + "\n");
        ImageFolderIndex val =
                ImageNetLayout.index(root, "val", ClassSelection.ALL, false).index();
        for (int i = 0; i < 6; i++) assertEquals(wnids.indexOf(valClasses.get(i)), val.labels()[i]);

        Files.writeString(data.resolve(ImageNetLayout.DEVKIT_TRUTH), "1\n2\n7\n");
        e = assertThrows(DatasetException.class, () -> ImageNetLayout.index(root, "val", ClassSelection.ALL, false));
        assertTrue(e.getMessage().contains(ImageNetLayout.DEVKIT_TRUTH + " line 3"), e.getMessage());
    }

    @Test
    void valFileNamingAnUnknownClassIsAnError(@TempDir Path root) throws IOException {
        List<String> wnids = sampleClasses().subList(0, 3);
        List<String> valClasses = new ArrayList<>(build(root, wnids));
        valClasses.set(1, "n09999999");
        writeLocCsv(root.resolve(ImageNetLayout.LOC_CSV), valClasses);
        var e = assertThrows(DatasetException.class, () -> ImageNetLayout.index(root, "val", ClassSelection.ALL, true));
        assertTrue(e.getMessage().contains(ImageNetLayout.LOC_CSV + " line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("n09999999"), e.getMessage());
        // a val class folder that train does not have
        Path other = Files.createDirectories(root.resolve("val2").resolve("n09999999"));
        Files.createDirectories(root.resolve("val2").resolve(wnids.get(0)));
        Files.createSymbolicLink(other.resolve("x.JPEG"), sampleImage(wnids.get(0)));
        e = assertThrows(DatasetException.class, () -> ImageNetLayout.index(root, "val2", ClassSelection.ALL, false));
        assertTrue(e.getMessage().contains("val2/n09999999"), e.getMessage());
    }

    @Test
    void emptyClassFolderIsAnError(@TempDir Path root) throws IOException {
        build(root, sampleClasses().subList(0, 3));
        Files.createDirectories(root.resolve("train").resolve("n00000001"));
        var e = assertThrows(
                DatasetException.class, () -> Datasets.imageNet(root, "train", ClassSelection.ALL, true, null));
        assertTrue(e.getMessage().contains("train/n00000001") && e.getMessage().contains("no .jpg"), e.getMessage());
    }

    @Test
    void missingAndUnlabelledValImagesFailOrAreSkipped(@TempDir Path root) throws IOException {
        List<String> wnids = sampleClasses().subList(0, 4);
        List<String> valClasses = build(root, wnids);
        writeLocCsv(root.resolve(ImageNetLayout.LOC_CSV), valClasses);
        Files.delete(root.resolve("val").resolve(valName(2) + ".JPEG"));
        Files.createSymbolicLink(root.resolve("val").resolve("stray.JPEG"), sampleImage(wnids.get(0)));
        var e = assertThrows(
                DatasetException.class, () -> ImageNetLayout.index(root, "val", ClassSelection.ALL, false));
        assertTrue(
                e.getMessage().contains("stray.JPEG") && e.getMessage().contains("--skip-bad-images"), e.getMessage());
        Files.delete(root.resolve("val").resolve("stray.JPEG"));
        e = assertThrows(DatasetException.class, () -> ImageNetLayout.index(root, "val", ClassSelection.ALL, false));
        assertTrue(
                e.getMessage().contains(valName(2) + ".JPEG") && e.getMessage().contains("missing"), e.getMessage());

        ImageNetLayout.Listing l = ImageNetLayout.index(root, "val", ClassSelection.ALL, true);
        assertEquals(3, l.index().size());
        assertEquals(1, l.skipped().size());
        assertTrue(l.skipped().get(0).contains(valName(2)), l.skipped().toString());
    }

    @Test
    void truncatedJpegFailsNamingTheFileOrIsSkippedAndRemembered(@TempDir Path root) throws IOException {
        List<String> wnids = sampleClasses().subList(0, 3);
        build(root, wnids);
        Path bad = root.resolve("train").resolve(wnids.get(1)).resolve(wnids.get(1) + "_2.JPEG");
        byte[] whole = Files.readAllBytes(bad);
        Files.delete(bad);
        Files.write(bad, java.util.Arrays.copyOf(whole, whole.length / 3));
        Path cache = root.resolve("cache");

        var e = assertThrows(
                DatasetException.class, () -> Datasets.imageNet(root, "train", ClassSelection.ALL, false, cache));
        assertTrue(
                e.getMessage().contains(bad.toString()) && e.getMessage().contains("--skip-bad-images"),
                e.getMessage());
        e = assertThrows(
                DatasetException.class, () -> Datasets.imageNet(root, "train", ClassSelection.ALL, false, null));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());

        for (Path dir : new Path[] {null, cache}) {
            ImageDataset ds = Datasets.imageNet(root, "train", ClassSelection.ALL, true, dir);
            assertEquals(5, ds.size());
            assertArrayEquals(new int[] {2, 1, 2}, ds.classCounts());
            assertEquals(1, ds.skipped().size());
            assertTrue(
                    ds.skipped().get(0).contains(bad.toString()), ds.skipped().toString());
            // the kept image of class 1 is the good copy: equal to class 1's image decoded alone
            byte[] got = new byte[ds.geometry().pixelsPerImage()];
            byte[] want = new byte[got.length];
            ds.copyChw(2, got, 0);
            ImageDecoder.decode(bad.resolveSibling(wnids.get(1) + "_1.JPEG"), ds.geometry(), want, 0);
            assertArrayEquals(want, got);
        }
        ImageDataset again = Datasets.imageNet(root, "train", ClassSelection.ALL, true, cache);
        assertTrue(again.loadedFromCache(), "skipped list lets the cache be mapped, not rebuilt");
        assertEquals(1, again.skipped().size());
        // without skipping, the cached (compacted) file does not fit the folder: rebuilt, and the bad file named
        e = assertThrows(
                DatasetException.class, () -> Datasets.imageNet(root, "train", ClassSelection.ALL, false, cache));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(
                Datasets.imageNet(root, "train", ClassSelection.ALL, true, cache)
                        .loadedFromCache(),
                "a failed rebuild leaves the existing cache alone");
        // repaired file: decoded again, nothing skipped
        Files.write(bad, whole);
        ImageDataset fixed = Datasets.imageNet(root, "train", ClassSelection.ALL, true, cache);
        assertFalse(fixed.loadedFromCache());
        assertEquals(6, fixed.size());
        assertTrue(fixed.skipped().isEmpty());
    }
}
