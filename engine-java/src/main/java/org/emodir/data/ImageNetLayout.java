package org.emodir.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The file lists of an ImageNet (ILSVRC-2012) tree: {@code train/<wnid>/*.JPEG}, and {@code val/} either as class
 * folders or flat ({@code ILSVRC2012_val_NNNNNNNN.JPEG}) labelled by Kaggle's {@code LOC_val_solution.csv} or by the
 * devkit's {@code ILSVRC2012_validation_ground_truth.txt} together with {@code ILSVRC2012_devkit_synsets.txt} (the
 * devkit's {@code meta.mat} synsets in ILSVRC2012_ID order, one wnid per line: the ground truth holds those ids, not
 * sorted-wnid indices). Label files are looked for in {@code val/}, the root and {@code
 * ILSVRC2012_devkit_t12/data/}. Class index = position among the sorted training wnids (of the selection).
 */
public final class ImageNetLayout {
    public static final String LOC_CSV = "LOC_val_solution.csv";
    public static final String DEVKIT_TRUTH = "ILSVRC2012_validation_ground_truth.txt";
    public static final String DEVKIT_SYNSETS = "ILSVRC2012_devkit_synsets.txt";

    private ImageNetLayout() {}

    /** An index and the images left out of it (each "path: reason"), which is empty unless skipping was asked for. */
    public record Listing(ImageFolderIndex index, List<String> skipped) {}

    /**
     * The index of {@code root/split} ({@code train}, {@code val}, or any class-folder split). With {@code
     * skipMissing} a labelled image that is absent, or an image without a label, is left out and listed instead of
     * failing.
     */
    public static Listing index(Path root, String split, ClassSelection selection, boolean skipMissing) {
        Path train = root.resolve("train");
        if (!Files.isDirectory(train)) throw new DatasetException(root + ": ImageNet root has no train/ folder");
        List<String> all = ImageFolderIndex.classFolders(train);
        if (all.isEmpty()) throw new DatasetException(train + ": no class folders");
        List<String> classes = selection.select(all, train);
        Path dir = root.resolve(split);
        if (!Files.isDirectory(dir)) throw new DatasetException(dir + ": split folder missing");
        if (split.equals("train")) {
            return new Listing(ImageFolderIndex.scanClasses(dir, classes, classes), List.of());
        }
        List<String> folders = ImageFolderIndex.classFolders(dir);
        if (!folders.isEmpty()) {
            for (String f : folders) {
                if (!all.contains(f)) {
                    throw new DatasetException(
                            dir.resolve(f) + ": class folder '" + f + "' is not a class of " + train);
                }
            }
            List<String> used = folders.stream().filter(classes::contains).toList();
            if (used.isEmpty()) throw new DatasetException(dir + ": no folder of a selected class");
            return new Listing(ImageFolderIndex.scanClasses(dir, classes, used), List.of());
        }
        return flat(root, dir, all, classes, skipMissing);
    }

    private static Listing flat(Path root, Path dir, List<String> all, List<String> classes, boolean skipMissing) {
        Map<String, String> wnidOf = labelsOfFlat(root, dir, all); // image base name -> wnid
        List<String> skipped = new ArrayList<>();
        Map<String, Path> present = new HashMap<>();
        for (String name : ImageFolderIndex.imageNames(dir)) {
            String base = name.substring(0, name.lastIndexOf('.'));
            if (!wnidOf.containsKey(base)) {
                String why = dir.resolve(name) + ": no label for this image in the validation label file";
                if (!skipMissing) throw new DatasetException(why + " (use --skip-bad-images to leave it out)");
                skipped.add(why);
                continue;
            }
            present.put(base, dir.resolve(name));
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(wnidOf).entrySet()) {
            int c = classes.indexOf(e.getValue());
            if (c < 0) continue; // a class outside the selection
            Path file = present.get(e.getKey());
            if (file == null) {
                String why = dir.resolve(e.getKey() + ".JPEG") + ": labelled " + e.getValue() + " but missing";
                if (!skipMissing) throw new DatasetException(why + " (use --skip-bad-images to leave it out)");
                skipped.add(why);
                continue;
            }
            files.add(file);
            labels.add(c);
        }
        if (files.isEmpty()) throw new DatasetException(dir + ": no labelled image of a selected class");
        ImageFolderIndex index = ImageFolderIndex.of(
                dir, classes, files, labels.stream().mapToInt(Integer::intValue).toArray());
        return new Listing(index, List.copyOf(skipped));
    }

    /** Image base name -> wnid from whichever validation label file is there; unknown wnids are errors. */
    static Map<String, String> labelsOfFlat(Path root, Path dir, List<String> known) {
        Path csv = find(root, dir, LOC_CSV);
        if (csv != null) return readLocCsv(csv, known);
        Path truth = find(root, dir, DEVKIT_TRUTH);
        if (truth != null) {
            Path synsets = find(root, dir, DEVKIT_SYNSETS);
            if (synsets == null) {
                throw new DatasetException(truth + ": needs " + DEVKIT_SYNSETS + " beside it (the devkit's meta.mat"
                        + " synsets in ILSVRC2012_ID order, one wnid per line) to map its ids to classes");
            }
            return readDevkit(truth, synsets, known);
        }
        throw new DatasetException(dir + ": flat validation folder without labels: expected class folders, " + LOC_CSV
                + ", or " + DEVKIT_TRUTH + " (in " + dir + ", " + root + " or ILSVRC2012_devkit_t12/data)");
    }

    private static Path find(Path root, Path dir, String name) {
        for (Path p : new Path[] {
            dir.resolve(name),
            root.resolve(name),
            root.resolve("ILSVRC2012_devkit_t12").resolve("data").resolve(name)
        }) {
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** Kaggle's {@code ImageId,PredictionString}: the first token of the prediction string is the class. */
    static Map<String, String> readLocCsv(Path csv, List<String> known) {
        List<String> lines = lines(csv);
        if (lines.isEmpty() || !lines.get(0).strip().startsWith("ImageId,")) {
            throw new DatasetException(csv + " line 1: expected the header 'ImageId,PredictionString'");
        }
        java.util.Set<String> knownSet = new java.util.HashSet<>(known);
        Map<String, String> out = new HashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            int comma = line.indexOf(',');
            String id = comma < 0 ? "" : line.substring(0, comma).strip();
            String[] pred = comma < 0
                    ? new String[0]
                    : line.substring(comma + 1).strip().split("\\s+");
            if (id.isEmpty() || pred.length == 0 || pred[0].isEmpty()) {
                throw new DatasetException(
                        csv + " line " + (i + 1) + ": expected 'ImageId,wnid ...', got '" + line + "'");
            }
            String wnid = pred[0];
            if (!knownSet.contains(wnid)) {
                throw new DatasetException(
                        csv + " line " + (i + 1) + ": unknown class " + wnid + " (not a folder of train/)");
            }
            if (out.put(id, wnid) != null) {
                throw new DatasetException(csv + " line " + (i + 1) + ": image " + id + " listed twice");
            }
        }
        return out;
    }

    /** Line k of the devkit ground truth is the ILSVRC2012_ID of {@code ILSVRC2012_val_<k>}. */
    static Map<String, String> readDevkit(Path truth, Path synsetsFile, List<String> known) {
        List<String> synsets = lines(synsetsFile).stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
        java.util.Set<String> knownSet = new java.util.HashSet<>(known);
        for (int i = 0; i < synsets.size(); i++) {
            if (!knownSet.contains(synsets.get(i))) {
                throw new DatasetException(synsetsFile + " line " + (i + 1) + ": unknown class " + synsets.get(i)
                        + " (not a folder of train/)");
            }
        }
        List<String> ids = lines(truth);
        Map<String, String> out = new HashMap<>();
        int k = 0;
        for (int i = 0; i < ids.size(); i++) {
            String s = ids.get(i).strip();
            if (s.isEmpty()) continue;
            int id;
            try {
                id = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new DatasetException(truth + " line " + (i + 1) + ": '" + s + "' is not an ILSVRC2012_ID");
            }
            if (id < 1 || id > synsets.size()) {
                throw new DatasetException(truth + " line " + (i + 1) + ": ILSVRC2012_ID " + id + " outside 1.."
                        + synsets.size() + " (" + synsetsFile + ")");
            }
            out.put(String.format("ILSVRC2012_val_%08d", ++k), synsets.get(id - 1));
        }
        return out;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
