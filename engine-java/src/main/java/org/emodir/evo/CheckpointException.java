package org.emodir.evo;

import java.nio.file.Path;
import org.emodir.run.EmodirException;

/** A checkpoint that cannot be written, read or trusted; the message names the file. */
public class CheckpointException extends EmodirException {
    public CheckpointException(Path file, String problem) {
        super("checkpoint " + file + ": " + problem);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super("checkpoint " + file + ": " + problem, cause);
    }
}
