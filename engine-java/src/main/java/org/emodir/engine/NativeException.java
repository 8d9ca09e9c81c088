package org.emodir.engine;

import org.emodir.engine.binding.EmodirNative;
import org.emodir.run.EmodirException;

/** A failure reported by the native engine, with its error code and emodir_last_error() message. */
public final class NativeException extends EmodirException {
    private final int code;

    public NativeException(int code, String message) {
        super(message + " (emodir error " + code + ")");
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Maps a non-OK return code: caller mistakes become IllegalArgumentException, the rest NativeException. */
    static RuntimeException from(int code) {
        String message = EmodirNative.emodir_last_error();
        if (code == EmodirNative.EMODIR_ERR_INVALID_ARGUMENT || code == EmodirNative.EMODIR_ERR_EMPTY_MASK)
            return new IllegalArgumentException(message);
        return new NativeException(code, message);
    }
}
