package org.emodir.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SvgPlotTest {
    @Test
    void ticksAreRoundAndCoverTheRange() {
        double[] t = SvgPlot.ticks(0.13, 0.87);
        assertTrue(t[0] <= 0.13 && t[t.length - 1] >= 0.87);
        // range 0.74 over 5 ticks is 0.148 a step, rounded up to 0.2: 0, 0.2, ..., 1.0
        assertEquals(6, t.length);
        assertEquals(0.0, t[0], 1e-12);
        assertEquals(0.2, t[1] - t[0], 1e-12);
        assertEquals(1.0, t[5], 1e-12);
        double[] big = SvgPlot.ticks(1_234, 98_765);
        assertEquals(0, big[0], 0);
        assertEquals(20_000, big[1] - big[0], 1e-9);
    }

    @Test
    void skipsNonFinitePointsAndEscapesLabels() {
        String svg = new SvgPlot("a<b", "x & y", "z")
                .add("s\"1", new double[] {0, 1, Double.NaN}, new double[] {0, 1, 2}, SvgPlot.Style.LINE)
                .render(400, 300);
        assertEquals(2, svg.split("<circle ", -1).length - 1, "NaN point must not be drawn");
        assertTrue(svg.contains("a&lt;b") && svg.contains("x &amp; y") && svg.contains("s&quot;1"));
        assertTrue(svg.contains("<path d=\"M"));
    }

    @Test
    void mismatchedSeriesIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new SvgPlot("t", "x", "y").add("bad", new double[2], new double[3], SvgPlot.Style.SCATTER));
        assertTrue(e.getMessage().contains("bad"));
    }
}
