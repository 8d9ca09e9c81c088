package org.emodir.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;
import org.junit.jupiter.api.Test;

class JointSchemeSolverTest {
    private static final double TOL = 1e-9;

    /** Minimum total impairment over every combination, or +inf if none meets the target. */
    private static double bruteForce(List<SubnetFront> fronts, NetworkCost cost, PruningTarget target) {
        List<List<SubnetSolution>> options = new ArrayList<>();
        for (SubnetFront f : fronts) {
            List<SubnetSolution> usable = new ArrayList<>();
            for (SubnetSolution s : f.solutions()) {
                if (s.isDense()) {
                    usable.add(s.withGlobalImpairment(0));
                } else if (!Double.isNaN(s.globalImpairment())) {
                    usable.add(s);
                }
            }
            options.add(usable);
        }
        return search(fronts, options, 0, 0, 0.0, target.requiredRemoval(cost), target);
    }

    private static double search(
            List<SubnetFront> fronts,
            List<List<SubnetSolution>> options,
            int i,
            long removed,
            double impairment,
            long required,
            PruningTarget target) {
        if (i == fronts.size()) {
            return removed >= required ? impairment : Double.POSITIVE_INFINITY;
        }
        double best = Double.POSITIVE_INFINITY;
        for (SubnetSolution s : options.get(i)) {
            best = Math.min(
                    best,
                    search(
                            fronts,
                            options,
                            i + 1,
                            removed + target.removedBy(fronts.get(i), s),
                            impairment + s.globalImpairment(),
                            required,
                            target));
        }
        return best;
    }

    private static void checkAgainstBruteForce(long seed, boolean coarse) {
        Random rnd = new Random(seed);
        List<SubnetFront> fronts = RandomFronts.generate(rnd, 1 + rnd.nextInt(4), 6, coarse);
        NetworkCost cost = RandomFronts.cost(fronts);
        PruningTarget target = rnd.nextBoolean()
                ? PruningTarget.flops(rnd.nextDouble() * 0.9)
                : PruningTarget.params(rnd.nextDouble() * 0.9);
        double best = bruteForce(fronts, cost, target);
        if (Double.isInfinite(best)) {
            InfeasibleTargetException e = assertThrows(
                    InfeasibleTargetException.class,
                    () -> JointSchemeSolver.solve(fronts, cost, target),
                    "seed " + seed);
            assertTrue(e.getMessage().contains("at most"), e.getMessage());
            assertThrows(InfeasibleTargetException.class, () -> GpirRanker.greedy(fronts, cost, target));
            return;
        }
        JointScheme exact = JointSchemeSolver.solve(fronts, cost, target);
        JointScheme greedy = GpirRanker.greedy(fronts, cost, target);
        assertEquals(best, exact.predictedImpairment(), TOL, "seed " + seed + " exact vs brute force");
        assertTrue(
                exact.reduction(target.kind()) * target.total(cost) >= target.requiredRemoval(cost) - 1e-6,
                "seed " + seed + " exact misses target");
        assertTrue(
                greedy.reduction(target.kind()) * target.total(cost) >= target.requiredRemoval(cost) - 1e-6,
                "seed " + seed + " greedy misses target");
        assertTrue(
                exact.predictedImpairment() <= greedy.predictedImpairment() + TOL,
                "seed " + seed + " exact worse than greedy");
        assertEquals(JointScheme.Method.EXACT, exact.method());
        assertEquals(JointScheme.Method.GREEDY, greedy.method());
        assertEquals(fronts.size(), exact.choices().size());
        for (int i = 0; i < fronts.size(); i++) {
            assertEquals(i, exact.choices().get(i).subnet(), "choice order follows fronts");
        }
    }

    @Test
    void exactMatchesBruteForceOnRandomInstances() {
        for (long seed = 0; seed < 400; seed++) {
            checkAgainstBruteForce(seed, false);
        }
    }

    @Test
    void exactMatchesBruteForceWithTies() {
        for (long seed = 1000; seed < 1400; seed++) {
            checkAgainstBruteForce(seed, true);
        }
    }

    @Test
    void relaxedBoundNeverExceedsTheOptimum() {
        int feasible = 0;
        for (long seed = 2000; seed < 2300; seed++) {
            Random rnd = new Random(seed);
            List<SubnetFront> fronts = RandomFronts.generate(rnd, 1 + rnd.nextInt(4), 6, seed % 2 == 0);
            NetworkCost cost = RandomFronts.cost(fronts);
            PruningTarget target = PruningTarget.flops(rnd.nextDouble() * 0.8);
            double best = bruteForce(fronts, cost, target);
            double bound = new RelaxedBound(FrontOptions.of(fronts, cost, target.kind()))
                    .atLeast(target.requiredRemoval(cost));
            if (Double.isInfinite(best)) {
                assertEquals(
                        Double.POSITIVE_INFINITY,
                        bound,
                        "seed " + seed + ": relaxed bound reaches an unreachable target");
            } else {
                feasible++;
                assertTrue(bound <= best + TOL, "seed " + seed + ": bound " + bound + " above optimum " + best);
            }
        }
        assertTrue(feasible > 100, "too few feasible instances: " + feasible);
    }

    @Test
    void schemeTotalsIncludeUnprunableParts() {
        SubnetSolution half = new SubnetSolution(0, 0, new byte[] {1, 0}, 0.5, 500, 50, 0.1, 0.2);
        List<SubnetFront> fronts = List.of(new SubnetFront(0, "s0", 1000, 100, List.of(half)));
        NetworkCost cost = new NetworkCost(2000, 200);
        JointScheme s = JointSchemeSolver.solve(fronts, cost, PruningTarget.flops(0.25));
        assertEquals(1500, s.macs());
        assertEquals(150, s.params());
        assertEquals(0.25, s.flopsReduction(), 0);
        assertEquals(0.25, s.paramsReduction(), 0);
        assertEquals(0.2, s.predictedImpairment(), 0);
        InfeasibleTargetException e = assertThrows(
                InfeasibleTargetException.class, () -> JointSchemeSolver.solve(fronts, cost, PruningTarget.flops(0.3)));
        assertTrue(e.getMessage().contains("0.2500"), "message states the max reachable: " + e.getMessage());
    }

    @Test
    void zeroTargetKeepsEverythingDense() {
        Random rnd = new Random(7);
        List<SubnetFront> fronts = RandomFronts.generate(rnd, 3, 5, false);
        NetworkCost cost = RandomFronts.cost(fronts);
        JointScheme s = JointSchemeSolver.solve(fronts, cost, PruningTarget.flops(0.0));
        for (SubnetSolution c : s.choices()) {
            assertTrue(c.isDense() || c.globalImpairment() <= 0, "zero target picks only free solutions: " + c);
        }
    }

    @Test
    void largestInstanceSolvesExactly() {
        // 16 fronts of 100 solutions, the largest size real runs produce: brute force is out of
        // reach, so this checks the solver finishes and is consistent with greedy there.
        Random rnd = new Random(42);
        List<SubnetFront> fronts = RandomFronts.pareto(rnd, 16, 100);
        NetworkCost cost = RandomFronts.cost(fronts);
        for (double t : new double[] {0.2, 0.5, 0.7}) {
            PruningTarget target = PruningTarget.flops(t);
            JointScheme exact = JointSchemeSolver.solve(fronts, cost, target);
            JointScheme greedy = GpirRanker.greedy(fronts, cost, target);
            assertTrue(exact.flopsReduction() >= t - 1e-12);
            assertTrue(exact.predictedImpairment() <= greedy.predictedImpairment() + TOL);
        }
    }
}
