package org.emodir.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;
import org.junit.jupiter.api.Test;

class GpirRankerTest {
    private static SubnetSolution sol(int subnet, int index, long macs, double global) {
        return new SubnetSolution(
                subnet, index, new byte[] {1, 0, 1}, macs / 1000.0, macs, macs / 10, global / 2, global);
    }

    private final NetworkCost cost = new NetworkCost(4000, 400);

    private final List<SubnetFront> fronts = List.of(
            new SubnetFront(
                    0,
                    "stage1",
                    1000,
                    100,
                    List.of(sol(0, 0, 500, 0.10), sol(0, 1, 200, 0.40), sol(0, 2, 100, Double.NaN))),
            new SubnetFront(1, "stage2", 2000, 200, List.of(sol(1, 0, 1000, 0.05), sol(1, 1, 1500, 0.025))));

    @Test
    void ranksByImpairmentPerWholeNetworkFlopsRemoved() {
        List<GpirEntry> ranking = GpirRanker.rank(fronts, cost);
        // Scores: (1,0) 0.05/(1000/4000)=0.2 ; (1,1) 0.025/(500/4000)=0.2 ; (0,0) 0.1/(500/4000)=0.8 ; (0,1)
        // 0.4/(800/4000)=2
        assertEquals(4, ranking.size(), "dense and unmeasured solutions are not ranked");
        assertEquals(1, ranking.get(0).subnet());
        assertEquals(0, ranking.get(0).solution().index(), "tie on score goes to the larger removal");
        assertEquals(1000, ranking.get(0).macsRemoved());
        assertEquals(0.2, ranking.get(0).score(), 1e-12);
        assertEquals(1, ranking.get(1).solution().index());
        assertEquals(0.8, ranking.get(2).score(), 1e-12);
        assertEquals(2.0, ranking.get(3).score(), 1e-12);
        for (int i = 0; i < ranking.size(); i++) {
            assertEquals(i + 1, ranking.get(i).rank());
        }
    }

    @Test
    void greedyFollowsTheCheapestHullSteps() {
        // 25% of 4000 = 1000 MACs: stage2's halving (slope 0.05/1000) is cheapest and suffices.
        JointScheme s = GpirRanker.greedy(fronts, cost, PruningTarget.flops(0.25));
        assertTrue(s.choices().get(0).isDense());
        assertEquals(0, s.choices().get(1).index());
        assertEquals(0.05, s.predictedImpairment(), 1e-12);
        // 35% = 1400 MACs: next cheapest is stage1 solution 0 (0.1 per 500).
        JointScheme t = GpirRanker.greedy(fronts, cost, PruningTarget.flops(0.35));
        assertEquals(0, t.choices().get(0).index());
        assertEquals(0.15, t.predictedImpairment(), 1e-12);
        assertEquals(1 - 2500.0 / 4000, t.flopsReduction(), 1e-12);
    }

    @Test
    void rankingIsSortedOnRandomFronts() {
        List<SubnetFront> random = RandomFronts.generate(new Random(3), 6, 30, false);
        List<GpirEntry> ranking = GpirRanker.rank(random, RandomFronts.cost(random));
        assertTrue(ranking.size() > 20);
        for (int i = 1; i < ranking.size(); i++) {
            assertTrue(ranking.get(i - 1).score() <= ranking.get(i).score(), "ranking order at " + i);
        }
    }
}
