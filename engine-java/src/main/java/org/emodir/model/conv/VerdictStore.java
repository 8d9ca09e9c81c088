package org.emodir.model.conv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Convolution verdicts of one host kind, kept across runs in {@code <cache dir>/conv-routes/<signature>.tsv}.
 * Append-only: each verdict is one short line appended with O_APPEND (concurrent processes interleave whole
 * lines and never rewrite what another wrote); a malformed or torn line is skipped on reading, so the worst a
 * damaged file costs is a re-check.
 */
final class VerdictStore {
    private static final String HEADER =
            "# emodir convolution routes v1; fields: batch in out h w kernel stride pad bias grad threads route";
    private final Path file;

    VerdictStore(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** The stored routes; an absent or unreadable file is an empty store. */
    Map<ConvShape, ConvRoute> load() {
        Map<ConvShape, ConvRoute> routes = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return routes;
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            if (f.length != ConvShape.FIELDS + 1) continue;
            try {
                routes.put(ConvShape.parse(f), ConvRoute.parse(f[ConvShape.FIELDS]));
            } catch (IllegalArgumentException torn) {
                // A line cut short by a crash: re-checked when the shape recurs.
            }
        }
        return routes;
    }

    /** Appends one verdict; failures (read-only cache dir, full disk) only cost a re-check next run. */
    boolean append(ConvShape shape, ConvRoute route, String hostSummary) {
        try {
            Files.createDirectories(file.getParent());
            StringBuilder text = new StringBuilder();
            if (!Files.exists(file))
                text.append(HEADER)
                        .append('\n')
                        .append("# host: ")
                        .append(hostSummary)
                        .append('\n');
            text.append(shape.toLine()).append('\t').append(route.id()).append('\n');
            Files.write(
                    file,
                    text.toString().getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
