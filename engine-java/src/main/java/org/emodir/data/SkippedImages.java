package org.emodir.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The images an image cache was built without because they failed to decode: a tab-separated file of relative path,
 * size, modification time and reason beside the cache. Written atomically; read leniently (a file that has changed
 * since, or a malformed line, is simply not skipped, so the image is decoded again).
 */
final class SkippedImages {
    private SkippedImages() {}

    /** The images of {@code index} the file lists with their current size and time: index -> reason. */
    static Map<Integer, String> read(Path file, ImageFolderIndex index) {
        Map<Integer, String> out = new TreeMap<>();
        if (!Files.isRegularFile(file)) return out;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return out; // only an optimisation: without it the images are decoded (and fail) again
        }
        Map<String, String[]> byPath = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t", 4);
            if (f.length == 4) byPath.put(f[0], f);
        }
        for (int i = 0; i < index.size(); i++) {
            String[] f = byPath.get(relative(index, i));
            if (f != null
                    && f[1].equals(Long.toString(index.fileSizes()[i]))
                    && f[2].equals(Long.toString(index.modifiedMillis()[i]))) {
                out.put(i, f[3]);
            }
        }
        return out;
    }

    /** Replaces {@code file} with the list of {@code bad} images of {@code index}. */
    static void write(Path file, ImageFolderIndex index, Map<Integer, String> bad) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, String> e : new TreeMap<>(bad).entrySet()) {
            int i = e.getKey();
            sb.append(relative(index, i))
                    .append('\t')
                    .append(index.fileSizes()[i])
                    .append('\t')
                    .append(index.modifiedMillis()[i])
                    .append('\t')
                    .append(e.getValue().replace('\t', ' ').replace('\n', ' '))
                    .append('\n');
        }
        try {
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, sb, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot write the list of skipped images: " + e.getMessage(), e);
        }
    }

    private static String relative(ImageFolderIndex index, int i) {
        return index.root().relativize(index.files().get(i)).toString().replace('\\', '/');
    }
}
