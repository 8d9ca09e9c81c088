package org.emodir.scheme;

/** No choice of one solution per front reaches the target. */
public class InfeasibleTargetException extends IllegalArgumentException {
    public InfeasibleTargetException(PruningTarget target, double maxReachable) {
        super(String.format(
                "%s reduction target %.4f is infeasible: the fronts reach at most %.4f"
                        + " (every sub-network at its most pruned measured solution)",
                target.kind(), target.fraction(), maxReachable));
    }
}
