package org.emodir.run;

/** A run's output directory cannot be used: it holds a finished run, or another run holds it. */
public class RunDirectoryException extends EmodirException {
    public RunDirectoryException(String message) {
        super(message);
    }

    public RunDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
