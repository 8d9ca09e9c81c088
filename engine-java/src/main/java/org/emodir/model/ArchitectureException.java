package org.emodir.model;

import java.nio.file.Path;
import org.emodir.run.EmodirException;

/** An architecture.json that cannot describe a network, or weights that do not fit it; names the file and field. */
public final class ArchitectureException extends EmodirException {
    public ArchitectureException(Path file, String field, String problem) {
        super(file + ": field '" + field + "': " + problem);
    }

    public ArchitectureException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ArchitectureException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
