package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.emodir.evo.Metrics;
import org.junit.jupiter.api.Test;

class SearchCostTest {
    private static final double REF = Math.log(10);

    private static BaselinePhase.Snapshot leg(long macs, List<double[]> points) {
        return new BaselinePhase.Snapshot(macs, macs / 10, 1, points, List.of());
    }

    @Test
    void thinningKeepsBothEndsAndEvenlySpacedNonDominatedPoints() {
        List<double[]> pts = List.of(
                new double[] {0.2, 2.0},
                new double[] {0.3, 1.5},
                new double[] {0.35, 1.9}, // dominated by (0.3, 1.5)
                new double[] {0.4, 1.2},
                new double[] {0.5, 1.0},
                new double[] {0.6, 0.9});
        assertEquals(5, SearchCost.nonDominated(pts).size());
        List<double[]> three = SearchCost.thin(pts, 3);
        assertEquals(3, three.size());
        assertEquals(0.2, three.get(0)[0]);
        assertEquals(0.4, three.get(1)[0]);
        assertEquals(0.6, three.get(2)[0]);
        assertEquals(5, SearchCost.thin(pts, 9).size(), "never more than the non-dominated points");
    }

    @Test
    void costAtEqualHypervolumeIsInterpolatedBetweenLegsAndCurvesHaveEqualPointCounts() {
        List<double[]> emo = List.of(new double[] {0.5, 1.0}, new double[] {0.3, 1.6});
        double emoHv = Metrics.hypervolume(emo, 1.0, REF);
        // The whole-network curve has 3 points per leg; it is thinned to EMO-DIR's 2.
        List<double[]> weak = List.of(new double[] {0.5, 1.8}, new double[] {0.4, 2.0}, new double[] {0.3, 2.2});
        List<double[]> strong = List.of(new double[] {0.5, 0.8}, new double[] {0.4, 1.0}, new double[] {0.3, 1.4});
        SearchCost c = SearchCost.of(REF, emo, 1000, List.of(leg(500, weak), leg(3000, strong)));
        assertEquals(2, c.points());
        assertEquals(emoHv, c.emoDirHypervolume(), 1e-12);
        double hvWeak = Metrics.hypervolume(SearchCost.thin(weak, 2), 1.0, REF);
        double hvStrong = Metrics.hypervolume(SearchCost.thin(strong, 2), 1.0, REF);
        assertTrue(hvWeak < emoHv && emoHv < hvStrong);
        double expected = 500 + (emoHv - hvWeak) / (hvStrong - hvWeak) * 2500;
        assertEquals(expected, c.wholeNetworkMacsAtEqualHypervolume(), 1e-6);
        assertEquals(expected / 1000, c.costRatioAtEqualHypervolume(), 1e-9);
        assertTrue(!c.ratioIsLowerBound());
        assertEquals(hvWeak + (500.0 / 2500) * (hvStrong - hvWeak), c.wholeNetworkHypervolumeAtEqualCost(), 1e-12);
    }

    @Test
    void aWholeNetworkSearchThatNeverCatchesUpGivesALowerBound() {
        List<double[]> emo = List.of(new double[] {0.5, 1.0}, new double[] {0.3, 1.6});
        List<double[]> weak = List.of(new double[] {0.5, 1.8}, new double[] {0.3, 2.2});
        SearchCost c = SearchCost.of(REF, emo, 1000, List.of(leg(2000, weak), leg(4000, weak)));
        assertNull(c.wholeNetworkMacsAtEqualHypervolume());
        assertTrue(c.ratioIsLowerBound());
        assertEquals(4.0, c.costRatioAtEqualHypervolume(), 1e-12);
        assertNull(c.wholeNetworkHypervolumeAtEqualCost(), "EMO-DIR's cost lies before the first leg");
    }
}
