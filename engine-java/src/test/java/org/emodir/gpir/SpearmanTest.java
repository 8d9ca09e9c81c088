package org.emodir.gpir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpearmanTest {
    @Test
    void monotoneOrdersGivePlusOrMinusOne() {
        assertEquals(1.0, Spearman.of(new double[] {1, 2, 3, 10}, new double[] {0.1, 5, 6, 7}), 1e-12);
        assertEquals(-1.0, Spearman.of(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
    }

    @Test
    void matchesTheTextbookFormulaWithTies() {
        // x ranks {1, 2.5, 2.5, 4}, y ranks {2, 1, 4, 3}: Pearson of those ranks
        double r = Spearman.of(new double[] {1, 2, 2, 5}, new double[] {20, 10, 40, 30});
        double[] rx = {1, 2.5, 2.5, 4}, ry = {2, 1, 4, 3};
        double mx = 2.5, my = 2.5, sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < 4; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        assertEquals(sxy / Math.sqrt(sxx * syy), r, 1e-12);
        assertTrue(Double.isNaN(Spearman.of(new double[] {1, 1}, new double[] {1, 2})));
    }
}
