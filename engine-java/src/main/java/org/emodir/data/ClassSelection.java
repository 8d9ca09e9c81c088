package org.emodir.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which classes of a dataset to use: all of them, or a named subset of ImageNet WordNet ids (the bundled
 * {@code imagenet100}, or a file with one id per line, {@code #} comments allowed). Class indices of a subset are
 * its ids sorted, as for the full set.
 */
public record ClassSelection(List<String> classes, String source) {
    public static final ClassSelection ALL = new ClassSelection(null, "all");
    private static final Pattern WNID = Pattern.compile("n\\d{8}");

    public ClassSelection {
        if (classes != null) classes = List.copyOf(classes.stream().sorted().toList());
    }

    public boolean all() {
        return classes == null;
    }

    /** {@code imagenet100}, {@code all}, or the path of a class-list file. */
    public static ClassSelection parse(String spec) {
        if (spec == null || spec.isBlank() || spec.equals("all")) return ALL;
        if (spec.equals("imagenet100")) {
            try (InputStream in = ClassSelection.class.getResourceAsStream("imagenet100.txt")) {
                if (in == null) throw new IllegalStateException("bundled resource imagenet100.txt missing");
                return fromLines(new String(in.readAllBytes(), StandardCharsets.UTF_8), "imagenet100");
            } catch (IOException e) {
                throw new IllegalStateException("cannot read bundled imagenet100.txt", e);
            }
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": class list file not found (use 'imagenet100' or a file with one"
                    + " WordNet id per line)");
        }
        try {
            return fromLines(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read class list: " + e.getMessage(), e);
        }
    }

    static ClassSelection fromLines(String text, String source) {
        List<String> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (!WNID.matcher(line).matches()) {
                throw new DatasetException(
                        source + " line " + (i + 1) + ": '" + line + "' is not a WordNet id (n followed by 8 digits)");
            }
            if (!seen.add(line)) throw new DatasetException(source + " line " + (i + 1) + ": duplicate class " + line);
            ids.add(line);
        }
        if (ids.isEmpty()) throw new DatasetException(source + ": class list names no classes");
        return new ClassSelection(ids, source);
    }

    /**
     * The classes to use out of {@code available} (sorted folder names), sorted; throws naming {@code where} and
     * the first selected class that is not there.
     */
    public List<String> select(List<String> available, Path where) {
        if (all()) return available;
        Set<String> have = new HashSet<>(available);
        for (String c : classes) {
            if (!have.contains(c)) {
                throw new DatasetException(where + ": class " + c + " of class list " + source + " has no folder");
            }
        }
        return classes;
    }

    /** A short tag for cache file names: empty for all classes. */
    String tag() {
        if (all()) return "";
        return "_c" + classes.size() + "-"
                + Integer.toHexString(String.join(",", classes).hashCode());
    }
}
