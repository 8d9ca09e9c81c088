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
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": ImageFolder root is not a directory");
        }
        List<String> classes = sortedNames(root, true);
        if (classes.isEmpty()) {
            throw new DatasetException(root + ": ImageFolder root has no class folders");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path dir = root.resolve(classes.get(c));
            List<String> images = sortedNames(dir, false).stream()
                    .filter(ImageFolderIndex::isImage)
                    .toList();
            if (images.isEmpty()) {
                throw new DatasetException(
                        dir + ": class folder '" + classes.get(c) + "' has no .jpg/.jpeg/.png images");
            }
            for (String img : images) {
                files.add(dir.resolve(img));
                labels.add(c);
            }
        }
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
        return new ImageFolderIndex(
                root,
                List.copyOf(classes),
                List.copyOf(files),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                sizes,
                modified);
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
                sha.update(
                        (rel + ":" + fileSizes[i] + ":" + modifiedMillis[i] + "\n").getBytes(StandardCharsets.UTF_8));
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
