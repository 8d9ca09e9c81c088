package org.emodir.scheme;

import java.util.List;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * One solution chosen per sub-network, with the whole-network result. Predicted impairment is the
 * sum of the chosen solutions' global impairments (GPIR's additivity assumption).
 */
public record JointScheme(
        List<SubnetSolution> choices,
        long macs,
        long params,
        double flopsReduction,
        double paramsReduction,
        double predictedImpairment,
        Method method) {

    public enum Method {
        GREEDY,
        EXACT,
        /** One of the best predicted (exact) schemes, applied because it measured best as a whole network. */
        MEASURED
    }

    /** This scheme labelled with another method. */
    public JointScheme as(Method m) {
        return new JointScheme(choices, macs, params, flopsReduction, paramsReduction, predictedImpairment, m);
    }

    public JointScheme {
        choices = List.copyOf(choices);
    }

    /** Builds the scheme for {@code choices[i]} taken from {@code fronts[i]}. */
    public static JointScheme of(
            List<SubnetFront> fronts, List<SubnetSolution> choices, NetworkCost cost, Method method) {
        if (fronts.size() != choices.size()) {
            throw new IllegalArgumentException(fronts.size() + " fronts but " + choices.size() + " choices");
        }
        long removedMacs = 0;
        long removedParams = 0;
        double impairment = 0;
        for (int i = 0; i < fronts.size(); i++) {
            SubnetFront f = fronts.get(i);
            SubnetSolution s = choices.get(i);
            removedMacs += f.denseMacs() - s.macs();
            removedParams += f.denseParams() - s.params();
            impairment += s.globalImpairment();
        }
        long macs = cost.totalMacs() - removedMacs;
        long params = cost.totalParams() - removedParams;
        return new JointScheme(
                choices,
                macs,
                params,
                (double) removedMacs / cost.totalMacs(),
                (double) removedParams / cost.totalParams(),
                impairment,
                method);
    }

    public double reduction(PruningTarget.Kind kind) {
        return kind == PruningTarget.Kind.FLOPS ? flopsReduction : paramsReduction;
    }
}
