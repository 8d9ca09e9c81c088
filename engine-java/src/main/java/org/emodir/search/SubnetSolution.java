package org.emodir.search;

import java.util.Arrays;

/**
 * One option of a sub-network's Pareto front.
 *
 * @param subnet           index of the sub-network in the whole network
 * @param index            caller's identifier of the solution within its front ({@link #DENSE_INDEX} for keep-all)
 * @param mask             one byte per prunable channel of the sub-network, 1 = kept, 0 = removed
 * @param flopsRatio       remaining sub-network MACs / dense sub-network MACs
 * @param macs             remaining sub-network MACs (FLOPs counted as MACs, as in the literature)
 * @param params           remaining sub-network parameters
 * @param localImpairment  the search's impairment objective on the calibration images: normalised output MSE, or the
 *                         feature selector's cross-entropy (report {@code details.local_impairment} says which)
 * @param globalImpairment whole-network impairment when this solution alone replaces its
 *                         sub-network; NaN until measured
 */
public record SubnetSolution(
        int subnet,
        int index,
        byte[] mask,
        double flopsRatio,
        long macs,
        long params,
        double localImpairment,
        double globalImpairment) {

    /** Index given to the keep-all solution that every front contains. */
    public static final int DENSE_INDEX = -1;

    public SubnetSolution {
        if (mask == null) {
            throw new IllegalArgumentException("subnet " + subnet + " solution " + index + ": mask is null");
        }
        if (macs < 0 || params < 0) {
            throw new IllegalArgumentException(
                    "subnet " + subnet + " solution " + index + ": negative cost macs=" + macs + " params=" + params);
        }
        mask = mask.clone();
    }

    /** The keep-all option: nothing removed, so nothing impaired. */
    public static SubnetSolution dense(int subnet, int maskLength, long denseMacs, long denseParams) {
        byte[] all = new byte[maskLength];
        Arrays.fill(all, (byte) 1);
        return new SubnetSolution(subnet, DENSE_INDEX, all, 1.0, denseMacs, denseParams, 0.0, 0.0);
    }

    @Override
    public byte[] mask() {
        return mask.clone();
    }

    public boolean isDense() {
        return index == DENSE_INDEX;
    }

    public boolean hasGlobalImpairment() {
        return !Double.isNaN(globalImpairment);
    }

    public int keptChannels() {
        int kept = 0;
        for (byte b : mask) {
            kept += b != 0 ? 1 : 0;
        }
        return kept;
    }

    public SubnetSolution withGlobalImpairment(double impairment) {
        return new SubnetSolution(subnet, index, mask, flopsRatio, macs, params, localImpairment, impairment);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubnetSolution s
                && subnet == s.subnet
                && index == s.index
                && Arrays.equals(mask, s.mask)
                && Double.compare(flopsRatio, s.flopsRatio) == 0
                && macs == s.macs
                && params == s.params
                && Double.compare(localImpairment, s.localImpairment) == 0
                && Double.compare(globalImpairment, s.globalImpairment) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * subnet + index) + Arrays.hashCode(mask);
    }

    @Override
    public String toString() {
        return "SubnetSolution[subnet=" + subnet + ", index=" + index + ", kept=" + keptChannels() + "/" + mask.length
                + ", macs=" + macs + ", params=" + params + ", local=" + localImpairment
                + ", global=" + globalImpairment + "]";
    }
}
