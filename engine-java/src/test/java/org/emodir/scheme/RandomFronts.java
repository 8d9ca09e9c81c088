package org.emodir.scheme;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/** Random sub-network fronts for solver tests; coarse costs and impairments force ties. */
final class RandomFronts {
    private RandomFronts() {}

    static final long UNPRUNABLE_MACS = 1_000;
    static final long UNPRUNABLE_PARAMS = 500;

    static List<SubnetFront> generate(Random rnd, int fronts, int maxSolutions, boolean coarse) {
        List<SubnetFront> out = new ArrayList<>(fronts);
        for (int f = 0; f < fronts; f++) {
            long denseMacs = 10_000 + rnd.nextInt(40_000);
            long denseParams = 1_000 + rnd.nextInt(4_000);
            int count = 1 + rnd.nextInt(maxSolutions);
            int channels = 8;
            List<SubnetSolution> sols = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                double keep = coarse ? (1 + rnd.nextInt(4)) / 5.0 : 0.05 + 0.95 * rnd.nextDouble();
                long macs = Math.round(denseMacs * keep);
                long params = Math.round(denseParams * (coarse ? keep : 0.05 + 0.95 * rnd.nextDouble()));
                double impairment = coarse ? rnd.nextInt(4) * 0.25 : rnd.nextDouble() * (1 - keep) * 2;
                byte[] mask = new byte[channels];
                for (int c = 0; c < channels; c++) {
                    mask[c] = (byte) (rnd.nextDouble() < keep ? 1 : 0);
                }
                double global = rnd.nextInt(10) == 0 ? Double.NaN : impairment; // some never measured
                sols.add(new SubnetSolution(
                        f, i, mask, (double) macs / denseMacs, macs, params, impairment * 0.5, global));
            }
            out.add(new SubnetFront(f, "stage" + f, denseMacs, denseParams, sols));
        }
        return out;
    }

    /**
     * Fronts shaped like real EMO output: every solution Pareto-optimal (more removal, more
     * impairment), removals all distinct, the hardest case for dominance pruning.
     */
    static List<SubnetFront> pareto(Random rnd, int fronts, int solutions) {
        List<SubnetFront> out = new ArrayList<>(fronts);
        for (int f = 0; f < fronts; f++) {
            long denseMacs = 1_000_000 + rnd.nextInt(9_000_000);
            long denseParams = 10_000 + rnd.nextInt(90_000);
            List<SubnetSolution> sols = new ArrayList<>(solutions);
            double impairment = 0;
            double sensitivity = 0.2 + rnd.nextDouble();
            for (int i = 0; i < solutions; i++) {
                double keep = 1.0 - 0.95 * (i + 1) / solutions;
                impairment += sensitivity * (1 - keep) * rnd.nextDouble() * 0.1;
                long macs = Math.round(denseMacs * keep) - rnd.nextInt(1000);
                long params = Math.round(denseParams * keep);
                sols.add(new SubnetSolution(
                        f, i, new byte[] {1, 0}, (double) macs / denseMacs, macs, params, impairment, impairment));
            }
            out.add(new SubnetFront(f, "stage" + f, denseMacs, denseParams, sols));
        }
        return out;
    }

    static NetworkCost cost(List<SubnetFront> fronts) {
        long macs = UNPRUNABLE_MACS;
        long params = UNPRUNABLE_PARAMS;
        for (SubnetFront f : fronts) {
            macs += f.denseMacs();
            params += f.denseParams();
        }
        return new NetworkCost(macs, params);
    }
}
