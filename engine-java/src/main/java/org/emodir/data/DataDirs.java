package org.emodir.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the data directory (the project's {@code ../shared} by default).
 *
 * <p>Order: system property {@code emodir.shared}, environment variable {@code EMODIR_DATA},
 * then a {@code shared} folder beside the current directory or any of its parents. No absolute
 * path is compiled in.
 */
public final class DataDirs {
    public static final String PROPERTY = "emodir.shared";
    public static final String ENV = "EMODIR_DATA";

    private DataDirs() {}

    /** The data root, or throws naming every place that was looked at. */
    public static Path shared() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return requireDir(Path.of(prop), "system property " + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return requireDir(Path.of(env), "environment variable " + ENV);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (p.getParent() != null && Files.isDirectory(candidate.resolve("datasets"))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("no data directory: set -D" + PROPERTY + "=DIR or " + ENV
                + "=DIR, or place a 'shared' folder beside the project (looked upwards from " + dir + ")");
    }

    public static Path cifar10Jpg() {
        return shared().resolve("datasets").resolve("cifar10-jpg");
    }

    public static Path imagenetSample() {
        return shared().resolve("datasets").resolve("imagenet-sample");
    }

    public static Path cifar10Models() {
        return shared().resolve("models").resolve("cifar10");
    }

    private static Path requireDir(Path p, String source) {
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("data directory " + p + " (from " + source + ") does not exist");
        }
        return p.toAbsolutePath().normalize();
    }
}
