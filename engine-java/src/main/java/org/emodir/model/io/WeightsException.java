package org.emodir.model.io;

/** Weights that cannot be used: malformed file, missing/unexpected key, wrong shape or dtype. */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
