package org.emodir.data;

import org.emodir.run.EmodirException;

/** A dataset file or folder is missing, malformed or inconsistent; the message names it. */
public class DatasetException extends EmodirException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
