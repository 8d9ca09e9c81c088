package org.emodir;

import java.nio.file.Path;
import org.emodir.run.EmodirException;

/** A checkpoint file is truncated, altered or not a checkpoint at all. */
public class CorruptCheckpointException extends EmodirException {
    private final Path file;

    public CorruptCheckpointException(Path file, String reason) {
        super("corrupt checkpoint " + file + ": " + reason);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
