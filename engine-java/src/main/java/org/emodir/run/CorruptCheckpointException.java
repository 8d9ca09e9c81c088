package org.emodir.run;

import java.nio.file.Path;

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
