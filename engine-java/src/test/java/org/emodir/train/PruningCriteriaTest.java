package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.emodir.model.ChannelGroup;
import org.emodir.model.CostModel;
import org.emodir.model.NetSpec;
import org.emodir.model.io.StateDict;
import org.junit.jupiter.api.Test;

class PruningCriteriaTest {
    private static final NetSpec SPEC = TrainFixtures.RESNET20;

    @Test
    void everyCriterionMeetsTheTargetAndGlobalBnScaleRemovesTheSmallestScalesFirst() {
        StateDict w = TrainFixtures.resnet20Weights();
        CostModel cost = new CostModel(SPEC, 32, 32);
        List<ChannelGroup> groups = SPEC.prunableGroups();
        for (PruningCriteria.Criterion c : PruningCriteria.Criterion.values()) {
            List<int[]> keep = PruningCriteria.keep(c, SPEC, w, cost, 0.5, width -> 4, 3);
            int[] kept = keep.stream().mapToInt(k -> k.length).toArray();
            double reduction = (double) cost.removedMacs(groups, kept) / cost.denseMacs();
            assertTrue(reduction >= 0.5, c + " removes " + reduction);
            assertTrue(reduction < 0.56, c + " does not overshoot by much: " + reduction);
            for (ChannelGroup g : groups) {
                int[] k = keep.get(g.index());
                assertTrue(k.length >= 1 && k.length <= g.denseWidth(), c + " " + g.name());
                for (int i = 1; i < k.length; i++) assertTrue(k[i] > k[i - 1], c + " indices ascending, distinct");
            }
        }
        List<int[]> bn = PruningCriteria.keep(PruningCriteria.Criterion.GLOBAL_BN_SCALE, SPEC, w, cost, 0.5, x -> 4, 0);
        // Every removed channel's |gamma| is at most every kept one's, unless its group sat at its minimum.
        double maxRemoved = 0, minKept = Double.POSITIVE_INFINITY;
        for (ChannelGroup g : groups) {
            float[] gamma = w.get(SPEC.producer(g).bn() + ".weight").data();
            int[] k = bn.get(g.index());
            boolean atMin = k.length == 4;
            for (int i = 0, j = 0; i < g.denseWidth(); i++) {
                boolean kept = j < k.length && k[j] == i;
                if (kept) j++;
                if (kept && !atMin) minKept = Math.min(minKept, Math.abs(gamma[i]));
                if (!kept) maxRemoved = Math.max(maxRemoved, Math.abs(gamma[i]));
            }
            assertTrue(k.length >= 4, g.name() + " keeps its minimum");
        }
        assertTrue(maxRemoved <= minKept, "largest removed |gamma| " + maxRemoved + " vs smallest kept " + minKept);

        List<int[]> uniform = PruningCriteria.keep(PruningCriteria.Criterion.UNIFORM_L1, SPEC, w, cost, 0.5, x -> 1, 0);
        List<int[]> random = PruningCriteria.keep(PruningCriteria.Criterion.RANDOM, SPEC, w, cost, 0.5, x -> 1, 5);
        assertArrayEquals(
                uniform.stream().mapToInt(k -> k.length).toArray(),
                random.stream().mapToInt(k -> k.length).toArray(),
                "random channels at the uniform widths");
        assertEquals(
                random.stream().map(java.util.Arrays::toString).toList(),
                PruningCriteria.keep(PruningCriteria.Criterion.RANDOM, SPEC, w, cost, 0.5, x -> 1, 5).stream()
                        .map(java.util.Arrays::toString)
                        .toList(),
                "seeded");
    }
}
