package org.emodir.run;

import java.nio.file.Path;

/** Where emodir keeps what it can rebuild (decoded images, convolution verdicts): one default for every command. */
public final class CacheDirs {
    /** Environment variable naming the cache folder. */
    public static final String ENV = "EMODIR_CACHE";

    private CacheDirs() {}

    /** {@code $EMODIR_CACHE}, else {@code ~/.cache/emodir}. */
    public static Path defaultDir() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "emodir");
    }
}
