package org.emodir.train;

/**
 * Cosine annealing per optimiser step rather than per epoch, because the runs here are fractions of an epoch
 * (or a fixed number of steps) and an epoch-stepped schedule would never leave its first value.
 */
final class CosineSteps {
    private CosineSteps() {}

    static double lr(double base, long step, long totalSteps) {
        return 0.5 * base * (1 + Math.cos(Math.PI * step / totalSteps));
    }
}
