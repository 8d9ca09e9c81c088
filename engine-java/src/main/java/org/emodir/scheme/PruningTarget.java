package org.emodir.scheme;

import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/** The whole-network reduction a joint scheme must reach, on FLOPs (MACs) or on parameters. */
public record PruningTarget(Kind kind, double fraction) {

    public enum Kind {
        FLOPS,
        PARAMS
    }

    public PruningTarget {
        if (kind == null) {
            throw new IllegalArgumentException("target kind is null");
        }
        if (!(fraction >= 0.0 && fraction < 1.0)) {
            throw new IllegalArgumentException(kind + " reduction target must be in [0, 1), got " + fraction);
        }
    }

    public static PruningTarget flops(double fraction) {
        return new PruningTarget(Kind.FLOPS, fraction);
    }

    public static PruningTarget params(double fraction) {
        return new PruningTarget(Kind.PARAMS, fraction);
    }

    /** Whole-network dense total of the targeted cost. */
    public long total(NetworkCost cost) {
        return kind == Kind.FLOPS ? cost.totalMacs() : cost.totalParams();
    }

    /** Least number of MACs or parameters to remove; the single definition both solvers use. */
    public long requiredRemoval(NetworkCost cost) {
        return (long) Math.ceil(fraction * total(cost));
    }

    /** Amount of the targeted cost that a solution removes from its sub-network. */
    public long removedBy(SubnetFront front, SubnetSolution s) {
        return kind == Kind.FLOPS ? front.denseMacs() - s.macs() : front.denseParams() - s.params();
    }
}
