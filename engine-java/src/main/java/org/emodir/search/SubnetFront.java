package org.emodir.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The Pareto front found for one sub-network. The keep-all solution is always an option (added
 * when absent) so that the joint scheme may leave a sub-network untouched.
 */
public record SubnetFront(int subnet, String name, long denseMacs, long denseParams, List<SubnetSolution> solutions) {

    public SubnetFront {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("subnet " + subnet + ": front needs a name");
        }
        if (denseMacs <= 0 || denseParams < 0) {
            throw new IllegalArgumentException("front " + name + ": dense cost must be positive, got macs=" + denseMacs
                    + " params=" + denseParams);
        }
        List<SubnetSolution> all = new ArrayList<>(solutions.size() + 1);
        boolean hasDense = false;
        int maskLength = -1;
        for (SubnetSolution s : solutions) {
            if (s.subnet() != subnet) {
                throw new IllegalArgumentException("front " + name + " (subnet " + subnet + ") holds solution "
                        + s.index() + " of subnet " + s.subnet());
            }
            if (s.macs() > denseMacs || s.params() > denseParams) {
                throw new IllegalArgumentException(
                        "front " + name + " solution " + s.index() + " costs more than dense: macs " + s.macs() + " > "
                                + denseMacs + " or params " + s.params() + " > " + denseParams);
            }
            if (maskLength >= 0 && s.mask().length != maskLength) {
                throw new IllegalArgumentException("front " + name + " solution " + s.index() + ": mask length "
                        + s.mask().length + " differs from " + maskLength);
            }
            maskLength = s.mask().length;
            hasDense |= s.isDense();
        }
        if (!hasDense) {
            all.add(SubnetSolution.dense(subnet, Math.max(maskLength, 0), denseMacs, denseParams));
        }
        all.addAll(solutions);
        solutions = List.copyOf(all);
    }

    public SubnetSolution dense() {
        return solutions.stream().filter(SubnetSolution::isDense).findFirst().orElseThrow();
    }

    /** Solutions usable by GPIR: those whose whole-network impairment has been measured. */
    public List<SubnetSolution> measured() {
        return solutions.stream().filter(SubnetSolution::hasGlobalImpairment).toList();
    }
}
