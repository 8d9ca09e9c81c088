package org.emodir.train;

/** Learning rate of an epoch (0-based) out of {@code epochs}. */
@FunctionalInterface
public interface LrSchedule {
    double lr(int epoch, int epochs);

    /** Cosine annealing from {@code base} to 0 (stepped per epoch, as CosineAnnealingLR with T_max = epochs). */
    static LrSchedule cosine(double base) {
        return (e, n) -> 0.5 * base * (1 + Math.cos(Math.PI * e / n));
    }

    /** {@code base * gamma^k} where k is the number of milestones (epochs) already reached. */
    static LrSchedule step(double base, double gamma, int... milestones) {
        return (e, n) -> {
            double lr = base;
            for (int m : milestones) if (e >= m) lr *= gamma;
            return lr;
        };
    }

    static LrSchedule constant(double lr) {
        return (e, n) -> lr;
    }
}
