package org.emodir.run;

/**
 * The root of emodir's own errors: a run, checkpoint, dataset, weights file, architecture file or native call
 * that cannot go on; the message says what and where. Unchecked, like the errors it unifies.
 *
 * <p>Subclasses: {@link org.emodir.run.RunDirectoryException} and {@link org.emodir.run.CorruptCheckpointException}
 * (public API, so they keep their package), {@code evo.CheckpointException}, {@code data.DatasetException},
 * {@code model.io.WeightsException}, {@code emodir.train.ArchitectureException} and
 * {@code nativ.NativeException}. Argument and state errors that callers catch as the JDK's
 * {@link IllegalArgumentException} / {@link IllegalStateException} ({@code InfeasibleTargetException},
 * {@code MemoryBudgetException}) keep those supertypes.
 */
public class EmodirException extends RuntimeException {
    public EmodirException(String message) {
        super(message);
    }

    public EmodirException(String message, Throwable cause) {
        super(message, cause);
    }
}
