package org.emodir.evo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class OperatorsTest {
    private static final int GENES = 37;

    @Test
    void populationLayoutIsReadableByAddress() {
        Population pop = new Population(Encoding.BINARY, 3, GENES);
        assertEquals(40, pop.rowStride(), "37 bytes rounded up to 8");
        assertEquals(0, pop.address() % 64);
        pop.setBit(2, 36, 1);
        UnsafeBuffer raw = new UnsafeBuffer(pop.address(), 3 * pop.rowStride());
        assertEquals(1, raw.getByte(2 * 40 + 36));
        Population real = new Population(Encoding.REAL, 2, 3);
        real.setReal(1, 2, 0.625);
        assertEquals(0.625, new UnsafeBuffer(real.address(), 2 * real.rowStride()).getDouble(real.rowStride() + 16));
    }

    private static Population realParents(double[] lo, double[] hi, Rng rng) {
        Population pop = new Population(Encoding.REAL, 4, GENES);
        for (int g = 0; g < GENES; g++) {
            pop.setReal(0, g, -1 + 2 * rng.nextDouble());
            pop.setReal(1, g, -1 + 2 * rng.nextDouble());
        }
        return pop;
    }

    @Test
    void sbxKeepsChildrenInsideTightBounds() {
        double[] lo = new double[GENES];
        double[] hi = new double[GENES];
        java.util.Arrays.fill(lo, -1);
        java.util.Arrays.fill(hi, 1);
        Rng rng = new Rng(1);
        Population pop = realParents(lo, hi, rng);
        for (int trial = 0; trial < 200; trial++) {
            new SbxCrossover(1.0, 2).apply(pop, new int[] {0, 1}, 1, 2, new GeneBounds(lo, hi), rng);
            for (int g = 0; g < GENES; g++) {
                for (int child = 2; child < 4; child++) {
                    double c = pop.real(child, g);
                    assertTrue(c >= -1 && c <= 1, "gene " + g + " = " + c + " out of bounds");
                }
            }
        }
        new SbxCrossover(0.0, 15).apply(pop, new int[] {1, 0}, 1, 2, new GeneBounds(lo, hi), rng);
        for (int g = 0; g < GENES; g++) {
            assertEquals(pop.real(1, g), pop.real(2, g), 0.0, "probability 0 must copy the parents");
        }
    }

    @Test
    void sbxFarFromBoundsIsSymmetricAroundTheParentsMean() {
        // Far bounds make bounded SBX the unbounded operator, whose children mirror each other.
        double[] lo = new double[GENES];
        double[] hi = new double[GENES];
        java.util.Arrays.fill(lo, -1e9);
        java.util.Arrays.fill(hi, 1e9);
        Rng rng = new Rng(2);
        Population pop = realParents(lo, hi, rng);
        int changed = 0;
        for (int trial = 0; trial < 100; trial++) {
            new SbxCrossover(1.0, 15).apply(pop, new int[] {0, 1}, 1, 2, new GeneBounds(lo, hi), rng);
            for (int g = 0; g < GENES; g++) {
                assertEquals(pop.real(0, g) + pop.real(1, g), pop.real(2, g) + pop.real(3, g), 1e-6, "gene " + g);
                changed += pop.real(2, g) != pop.real(0, g) && pop.real(2, g) != pop.real(1, g) ? 1 : 0;
            }
        }
        // Each gene recombines with probability 1/2.
        assertEquals(0.5 * 100 * GENES, changed, 5 * Math.sqrt(100 * GENES * 0.25));
    }

    @Test
    void polynomialMutationStaysInBoundsAndHitsTheExpectedShare() {
        int rows = 400;
        Population pop = new Population(Encoding.REAL, rows, GENES);
        double[] lo = new double[GENES];
        double[] hi = new double[GENES];
        java.util.Arrays.fill(hi, 1.0);
        for (int r = 0; r < rows; r++) for (int g = 0; g < GENES; g++) pop.setReal(r, g, 0.5);
        new PolynomialMutation(0.1, 20).apply(pop, 0, rows, new GeneBounds(lo, hi), new Rng(2));
        int changed = 0;
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < GENES; g++) {
                double v = pop.real(r, g);
                assertTrue(v >= 0 && v <= 1);
                changed += v != 0.5 ? 1 : 0;
            }
        }
        double expected = 0.1 * rows * GENES;
        double sigma = Math.sqrt(rows * GENES * 0.1 * 0.9);
        assertEquals(expected, changed, 5 * sigma, "mutated genes");
    }

    @Test
    void bitFlipRateMatchesProbability() {
        int rows = 500;
        Population pop = new Population(Encoding.BINARY, rows, GENES);
        new BitFlipMutation(0.2).apply(pop, 0, rows, null, new Rng(3));
        int ones = 0;
        for (int r = 0; r < rows; r++) for (int g = 0; g < GENES; g++) ones += pop.bit(r, g);
        double n = rows * GENES;
        assertEquals(0.2 * n, ones, 5 * Math.sqrt(n * 0.2 * 0.8));
    }

    private static Population complementaryParents() {
        Population pop = new Population(Encoding.BINARY, 4, GENES);
        for (int g = 0; g < GENES; g++) pop.setBit(1, g, 1); // parent 0 all zero, parent 1 all one
        return pop;
    }

    @Test
    void uniformCrossoverOnlyExchangesGenes() {
        Population pop = complementaryParents();
        Rng rng = new Rng(4);
        int swapped = 0;
        for (int trial = 0; trial < 100; trial++) {
            new UniformCrossover(1.0).apply(pop, new int[] {0, 1}, 1, 2, null, rng);
            for (int g = 0; g < GENES; g++) {
                assertEquals(1, pop.bit(2, g) + pop.bit(3, g), "children must be complementary at gene " + g);
                swapped += pop.bit(2, g);
            }
        }
        assertEquals(0.5 * 100 * GENES, swapped, 5 * Math.sqrt(100 * GENES * 0.25));
    }

    @Test
    void nPointCrossoverMakesExactlyNSegmentsSwitches() {
        Population pop = complementaryParents();
        Rng rng = new Rng(5);
        for (int points : new int[] {1, 2, 5}) {
            for (int trial = 0; trial < 50; trial++) {
                new NPointCrossover(1.0, points).apply(pop, new int[] {0, 1}, 1, 2, null, rng);
                int switches = 0;
                assertEquals(0, pop.bit(2, 0), "the first segment is never swapped");
                for (int g = 1; g < GENES; g++) {
                    switches += pop.bit(2, g) != pop.bit(2, g - 1) ? 1 : 0;
                    assertEquals(1, pop.bit(2, g) + pop.bit(3, g));
                }
                assertEquals(points, switches);
            }
        }
    }

    @Test
    void repairRestoresMinKeepWithoutRemovingChannels() {
        MaskLayout layout = new MaskLayout(new int[] {4, 6, 3}, new int[] {2, 1, 3});
        int rows = 50;
        Population pop = new Population(Encoding.BINARY, rows, layout.genes());
        Rng rng = new Rng(6);
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < layout.genes(); g++) pop.setBit(r, g, rng.nextInt(4) == 0 ? 1 : 0);
        Population before = new Population(Encoding.BINARY, rows, layout.genes());
        for (int r = 0; r < rows; r++) pop.copyRow(r, before, r);
        new MaskRepair(layout).repair(pop, 0, rows, rng);
        for (int r = 0; r < rows; r++) {
            for (int group = 0; group < layout.groups(); group++) {
                int kept = layout.kept(pop, r, group);
                int had = layout.kept(before, r, group);
                assertEquals(Math.max(had, layout.minKeep(group)), kept, "row " + r + " group " + group);
            }
            for (int g = 0; g < layout.genes(); g++) {
                assertTrue(pop.bit(r, g) >= before.bit(r, g), "repair switched a channel off");
            }
        }
    }

    @Test
    void rngStateRoundTrips() {
        Rng a = new Rng(77);
        for (int i = 0; i < 10; i++) a.nextLong();
        Rng b = Rng.fromState(a.state());
        for (int i = 0; i < 100; i++) assertEquals(a.nextLong(), b.nextLong());
        for (int i = 0; i < 10000; i++) {
            int v = a.nextInt(7);
            assertTrue(v >= 0 && v < 7);
        }
    }
}
