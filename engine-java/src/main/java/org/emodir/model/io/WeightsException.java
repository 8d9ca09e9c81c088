package org.emodir.model.io;

import org.emodir.run.EmodirException;

/** Weights that cannot be used: malformed file, missing/unexpected key, wrong shape or dtype. */
public class WeightsException extends EmodirException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
