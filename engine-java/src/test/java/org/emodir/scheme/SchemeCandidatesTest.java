package org.emodir.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;
import org.junit.jupiter.api.Test;

class SchemeCandidatesTest {
    private static final double TOL = 1e-9;

    /** Predicted impairment of every feasible combination (dense counts 0, unmeasured solutions are not options). */
    private static List<Double> allFeasible(List<SubnetFront> fronts, NetworkCost cost, PruningTarget target) {
        List<Double> out = new ArrayList<>();
        enumerate(fronts, 0, 0, 0.0, target.requiredRemoval(cost), target, out);
        out.sort(Double::compare);
        return out;
    }

    private static void enumerate(
            List<SubnetFront> fronts,
            int i,
            long removed,
            double impairment,
            long required,
            PruningTarget target,
            List<Double> out) {
        if (i == fronts.size()) {
            if (removed >= required) out.add(impairment);
            return;
        }
        for (SubnetSolution s : fronts.get(i).solutions()) {
            if (!s.isDense() && !s.hasGlobalImpairment()) continue;
            double g = s.isDense() ? 0 : s.globalImpairment();
            enumerate(
                    fronts, i + 1, removed + target.removedBy(fronts.get(i), s), impairment + g, required, target, out);
        }
    }

    @Test
    void firstIsTheOptimumSecondIsTheTrueSecondBestAndAllAreDistinctFeasibleAndOrdered() {
        Random rnd = new Random(17);
        int checked = 0;
        for (int trial = 0; trial < 300; trial++) {
            List<SubnetFront> fronts = RandomFronts.generate(rnd, 2 + rnd.nextInt(3), 6, false);
            NetworkCost cost = RandomFronts.cost(fronts);
            PruningTarget target = new PruningTarget(PruningTarget.Kind.FLOPS, 0.1 + 0.4 * rnd.nextDouble());
            List<Double> all = allFeasible(fronts, cost, target);
            if (all.size() < 2) continue;
            List<JointScheme> best = SchemeCandidates.best(fronts, cost, target, 5);
            assertEquals(all.get(0), best.get(0).predictedImpairment(), TOL, "optimum first");
            assertTrue(best.size() >= 2, "a second scheme exists");
            assertEquals(all.get(1), best.get(1).predictedImpairment(), TOL, "the true second best");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < best.size(); i++) {
                JointScheme j = best.get(i);
                assertTrue(j.flopsReduction() >= target.fraction() - TOL, "feasible: " + j);
                assertTrue(seen.add(j.choices().stream()
                        .map(s -> s.subnet() + ":" + s.index())
                        .toList()
                        .toString()));
                if (i > 0) assertTrue(j.predictedImpairment() >= best.get(i - 1).predictedImpairment() - TOL);
            }
            checked++;
        }
        assertTrue(checked > 100, "enough instances with two feasible schemes: " + checked);
    }

    @Test
    void negativeImpairmentsCountAsZeroAndOthersStay() {
        byte[] m = {1, 0};
        SubnetSolution neg = new SubnetSolution(0, 0, m, 0.5, 500, 50, 0.1, -0.02);
        SubnetSolution pos = new SubnetSolution(0, 1, m, 0.4, 400, 40, 0.2, 0.3);
        SubnetSolution unmeasured = new SubnetSolution(0, 2, m, 0.3, 300, 30, 0.3, Double.NaN);
        List<SubnetFront> out = SchemeCandidates.nonNegative(
                List.of(new SubnetFront(0, "s0", 1000, 100, List.of(neg, pos, unmeasured))));
        List<SubnetSolution> sols = out.get(0).solutions();
        assertEquals(
                0.0,
                sols.stream()
                        .filter(s -> s.index() == 0)
                        .findFirst()
                        .orElseThrow()
                        .globalImpairment());
        assertEquals(
                0.3,
                sols.stream()
                        .filter(s -> s.index() == 1)
                        .findFirst()
                        .orElseThrow()
                        .globalImpairment());
        assertTrue(Double.isNaN(sols.stream()
                .filter(s -> s.index() == 2)
                .findFirst()
                .orElseThrow()
                .globalImpairment()));
    }
}
