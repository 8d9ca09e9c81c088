package org.emodir.eval;

/** A call or buffer that cannot fit the {@link MemoryBudget}; the message states the bytes needed and the budget. */
public final class MemoryBudgetException extends IllegalStateException {
    public MemoryBudgetException(String message) {
        super(message);
    }
}
