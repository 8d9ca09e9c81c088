package org.emodir.scheme;

/**
 * Dense whole-network totals, including the parts no sub-network prunes (stem, classifier), so
 * that reductions are fractions of the real network and not of the prunable part only.
 */
public record NetworkCost(long totalMacs, long totalParams) {
    public NetworkCost {
        if (totalMacs <= 0 || totalParams <= 0) {
            throw new IllegalArgumentException(
                    "network totals must be positive, got macs=" + totalMacs + " params=" + totalParams);
        }
    }
}
