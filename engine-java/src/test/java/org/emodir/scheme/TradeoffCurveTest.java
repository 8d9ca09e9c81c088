package org.emodir.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;
import org.junit.jupiter.api.Test;

class TradeoffCurveTest {
    @Test
    void exactCurveIsMonotoneAndNeverAboveGreedy() {
        List<SubnetFront> fronts = RandomFronts.generate(new Random(11), 5, 25, false);
        NetworkCost cost = RandomFronts.cost(fronts);
        TradeoffCurve curve =
                TradeoffCurve.sweep(fronts, cost, PruningTarget.Kind.FLOPS, TradeoffCurve.evenTargets(0.05));
        assertTrue(curve.points().size() >= 5, "curve has " + curve.points().size() + " points");
        for (int i = 0; i < curve.points().size(); i++) {
            TradeoffCurve.Point p = curve.points().get(i);
            assertTrue(p.exact().flopsReduction() >= p.target() - 1e-9);
            assertTrue(p.greedy().flopsReduction() >= p.target() - 1e-9);
            assertTrue(p.exact().predictedImpairment() <= p.greedy().predictedImpairment() + 1e-9);
            if (i > 0) {
                // Impairments here are non-negative, so a stricter target can only cost more.
                assertTrue(
                        curve.points().get(i - 1).exact().predictedImpairment()
                                <= p.exact().predictedImpairment() + 1e-12,
                        "exact impairment decreases at target " + p.target());
                assertTrue(curve.points().get(i - 1).target() < p.target());
            }
        }
    }

    @Test
    void sweepStopsAtTheReachableMaximum() {
        SubnetSolution half = new SubnetSolution(0, 0, new byte[] {1, 0}, 0.5, 500, 50, 0.1, 0.2);
        List<SubnetFront> fronts = List.of(new SubnetFront(0, "s0", 1000, 100, List.of(half)));
        TradeoffCurve curve = TradeoffCurve.sweep(
                fronts, new NetworkCost(2000, 200), PruningTarget.Kind.FLOPS, new double[] {0.5, 0.1, 0.2, 0.3});
        assertEquals(2, curve.points().size());
        assertEquals(0.1, curve.points().get(0).target());
    }

    @Test
    void evenTargetsStayBelowOne() {
        double[] t = TradeoffCurve.evenTargets(0.1);
        assertEquals(9, t.length);
        assertEquals(0.9, t[8], 1e-12);
    }
}
