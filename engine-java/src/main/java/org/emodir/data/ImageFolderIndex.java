package org.emodir.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The file list of an ImageFolder tree {@code root/<class>/<image>.(jpg|jpeg|png)}: classes sorted
 * by name give the label order, files sorted by name within a class give the image order.
 */
public record ImageFolderIndex(
        Path root, List<String> classNames, List<Path> files, int[] labels, long[] fileSizes, long[] modifiedMillis) {

    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");

    public static ImageFolderIndex scan(Path root) {
        return scan(root, ClassSelection.ALL);
    }

    /** The selected class folders of {@code root} (all of them for {@link ClassSelection#ALL}). */
    public static ImageFolderIndex scan(Path root, ClassSelection selection) {
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": ImageFolder root is not a directory");
        }
        List<String> classes = classFolders(root);
        if (classes.isEmpty()) {
            throw new DatasetException(root + ": ImageFolder root has no class folders");
        }
        classes = selection.select(classes, root);
        return scanClasses(root, classes, classes);
    }

    /**
     * Images of the class folders {@code folders} of {@code root} (a subset of {@code classes}, which fixes the
     * label order); an empty folder is an error naming it.
     */
    static ImageFolderIndex scanClasses(Path root, List<String> classes, List<String> folders) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String folder : folders) {
            int c = classes.indexOf(folder);
            Path dir = root.resolve(folder);
            List<String> images = imageNames(dir);
            if (images.isEmpty()) {
                throw new DatasetException(dir + ": class folder '" + folder + "' has no .jpg/.jpeg/.png images");
            }
            for (String img : images) {
                files.add(dir.resolve(img));
                labels.add(c);
            }
        }
        return of(
                root,
                classes,
                files,
                labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** An index of explicit files and labels (e.g. a flat validation folder labelled by a CSV); stats every file. */
    static ImageFolderIndex of(Path root, List<String> classes, List<Path> files, int[] labels) {
        long[] sizes = new long[files.size()];
        long[] modified = new long[files.size()];
        for (int i = 0; i < sizes.length; i++) {
            try {
                BasicFileAttributes attrs = Files.readAttributes(files.get(i), BasicFileAttributes.class);
                sizes[i] = attrs.size();
                modified[i] = attrs.lastModifiedTime().toMillis();
            } catch (IOException e) {
                throw new DatasetException(files.get(i) + ": cannot stat: " + e.getMessage(), e);
            }
        }
        return new ImageFolderIndex(root, List.copyOf(classes), List.copyOf(files), labels, sizes, modified);
    }

    /** The same index without the images at {@code drop} (indices into {@link #files()}). */
    ImageFolderIndex without(java.util.BitSet drop) {
        int n = files.size() - drop.cardinality();
        List<Path> keptFiles = new ArrayList<>(n);
        int[] keptLabels = new int[n];
        long[] keptSizes = new long[n];
        long[] keptModified = new long[n];
        int k = 0;
        for (int i = 0; i < files.size(); i++) {
            if (drop.get(i)) continue;
            keptFiles.add(files.get(i));
            keptLabels[k] = labels[i];
            keptSizes[k] = fileSizes[i];
            keptModified[k++] = modifiedMillis[i];
        }
        return new ImageFolderIndex(root, classNames, List.copyOf(keptFiles), keptLabels, keptSizes, keptModified);
    }

    /** Sorted names of the non-hidden sub-folders of {@code dir}. */
    static List<String> classFolders(Path dir) {
        return sortedNames(dir, true);
    }

    /** Sorted names of the .jpg/.jpeg/.png files directly in {@code dir}. */
    static List<String> imageNames(Path dir) {
        return sortedNames(dir, false).stream()
                .filter(ImageFolderIndex::isImage)
                .toList();
    }

    public int size() {
        return files.size();
    }

    /**
     * 64 bits of SHA-256 over the geometry, the class names, and each file's relative path, size and
     * modification time: any added, removed, renamed, resized or rewritten file makes a cache built
     * from it stale (contents are not hashed: reading every file would cost as much as decoding).
     */
    public long fingerprint(ImageGeometry geometry) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(geometry.toString().getBytes(StandardCharsets.UTF_8));
            for (String c : classNames) {
                sha.update(("class:" + c + "\n").getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < files.size(); i++) {
                String rel = root.relativize(files.get(i)).toString().replace('\\', '/');
                // Labels not given by the folder name (a flat folder labelled by a CSV) are part of the identity.
                Path parent = files.get(i).getParent();
                boolean byFolder = parent != null
                        && parent.getFileName() != null
                        && parent.getFileName().toString().equals(classNames.get(labels[i]));
                String label = byFolder ? "" : ":label=" + labels[i];
                sha.update((rel + ":" + fileSizes[i] + ":" + modifiedMillis[i] + label + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            byte[] d = sha.digest();
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isImage(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    private static List<String> sortedNames(Path dir, boolean directories) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> directories ? Files.isDirectory(p) : Files.isRegularFile(p))
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
