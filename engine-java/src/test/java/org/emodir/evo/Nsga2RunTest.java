package org.emodir.evo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.emodir.evo.problems.WeightedMaskProblem;
import org.emodir.evo.problems.Zdt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Determinism, checkpoint/resume, diverging candidates and progress reporting. */
class Nsga2RunTest {
    @TempDir
    Path dir;

    private static Nsga2 zdt(long seed) {
        Zdt problem = new Zdt(Zdt.Variant.ZDT1);
        return new Nsga2(problem, Nsga2Config.realDefaults(40, seed, problem.genes()));
    }

    /** Every byte of the population rows, objectives, ranks and crowding distances. */
    private static List<Object> snapshot(Nsga2 run) {
        int n = run.populationSize();
        byte[] genes = new byte[n * run.population().rowStride()];
        run.population().buffer().getBytes(0, genes);
        byte[] obj = new byte[n * run.objectives().rowStride()];
        run.objectives().buffer().getBytes(0, obj);
        int[] ranks = new int[n];
        long[] crowd = new long[n];
        for (int i = 0; i < n; i++) {
            ranks[i] = run.rank(i);
            crowd[i] = Double.doubleToRawLongBits(run.crowding(i));
        }
        return List.of(genes, obj, ranks, crowd, run.generation(), run.evaluations());
    }

    private static void assertSameState(Nsga2 a, Nsga2 b) {
        List<Object> x = snapshot(a);
        List<Object> y = snapshot(b);
        assertArrayEquals((byte[]) x.get(0), (byte[]) y.get(0), "genes differ");
        assertArrayEquals((byte[]) x.get(1), (byte[]) y.get(1), "objectives differ");
        assertArrayEquals((int[]) x.get(2), (int[]) y.get(2), "ranks differ");
        assertArrayEquals((long[]) x.get(3), (long[]) y.get(3), "crowding differs");
        assertEquals(x.get(4), y.get(4));
        assertEquals(x.get(5), y.get(5));
    }

    @Test
    void sameSeedSameRunBitForBit() {
        Nsga2 a = zdt(9);
        Nsga2 b = zdt(9);
        a.run(30);
        b.run(30);
        assertSameState(a, b);
        Nsga2 c = zdt(10);
        c.run(30);
        assertFalse(
                java.util.Arrays.equals(
                        (byte[]) snapshot(a).get(0), (byte[]) snapshot(c).get(0)),
                "a different seed should give a different run");
    }

    @Test
    void resumedRunMatchesUninterruptedRun() throws IOException {
        Nsga2 straight = zdt(21);
        straight.run(40);

        Nsga2 first = zdt(21);
        first.run(15);
        Path file = dir.resolve("run.ckpt");
        first.saveState(file);
        Nsga2 resumed = Nsga2.resume(file, new Zdt(Zdt.Variant.ZDT1));
        assertEquals(15, resumed.generation());
        resumed.run(25);
        assertSameState(straight, resumed);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "temp files left behind");
        }
    }

    @Test
    void binaryRunResumesWithItsOperators() {
        MaskLayout layout = MaskLayout.uniformMinKeep(new int[] {5, 7, 9}, 1);
        double[] w = new double[layout.genes()];
        for (int g = 0; g < w.length; g++) w[g] = 1 + g % 4;
        WeightedMaskProblem problem = new WeightedMaskProblem(layout, w, 15);
        Nsga2Config config = new Nsga2Config(20, 5, new NPointCrossover(0.9, 2), new BitFlipMutation(0.05));
        Nsga2 straight = new Nsga2(problem, config);
        straight.run(20);
        Nsga2 first = new Nsga2(problem, config);
        first.run(7);
        Path file = dir.resolve("mask.ckpt");
        first.saveState(file);
        Nsga2 resumed = Nsga2.resume(file, problem);
        assertTrue(resumed.config().crossover() instanceof NPointCrossover np && np.points() == 2);
        resumed.run(13);
        assertSameState(straight, resumed);
    }

    @Test
    void corruptOrMismatchedCheckpointIsRejectedNamingTheFile() throws IOException {
        Nsga2 run = zdt(1);
        run.run(2);
        Path file = dir.resolve("state.bin");
        run.saveState(file);
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Path bad = dir.resolve("flipped.bin");
        Files.write(bad, flipped);
        CheckpointException e =
                assertThrows(CheckpointException.class, () -> Nsga2.resume(bad, new Zdt(Zdt.Variant.ZDT1)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("CRC"), e.getMessage());

        Path truncated = dir.resolve("truncated.bin");
        Files.write(truncated, java.util.Arrays.copyOf(good, 10));
        e = assertThrows(CheckpointException.class, () -> Nsga2.resume(truncated, new Zdt(Zdt.Variant.ZDT1)));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());

        e = assertThrows(CheckpointException.class, () -> Nsga2.resume(file, new Zdt(Zdt.Variant.ZDT1, 12)));
        assertTrue(e.getMessage().contains("30 genes") && e.getMessage().contains(file.toString()), e.getMessage());

        Path missing = dir.resolve("missing.bin");
        e = assertThrows(CheckpointException.class, () -> Nsga2.resume(missing, new Zdt(Zdt.Variant.ZDT1)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void overwritingACheckpointReplacesItWhole() throws IOException {
        Nsga2 run = zdt(4);
        Path file = dir.resolve("c.bin");
        run.saveState(file);
        byte[] before = Files.readAllBytes(file);
        run.run(3);
        run.saveState(file);
        assertNotEquals(java.util.Arrays.hashCode(before), java.util.Arrays.hashCode(Files.readAllBytes(file)));
        assertEquals(3, Nsga2.resume(file, new Zdt(Zdt.Variant.ZDT1)).generation());
    }

    /** ZDT1, except candidates with x0 in a band "diverge" and return NaN or infinite objectives. */
    private static final class DivergingZdt implements BatchProblem {
        final Zdt inner = new Zdt(Zdt.Variant.ZDT1);

        @Override
        public Encoding encoding() {
            return Encoding.REAL;
        }

        @Override
        public int genes() {
            return inner.genes();
        }

        @Override
        public int numObjectives() {
            return 2;
        }

        @Override
        public int numConstraints() {
            return 0;
        }

        @Override
        public void evaluate(Population pop, int from, int to, ObjectiveMatrix out) {
            inner.evaluate(pop, from, to, out);
            for (int row = from; row < to; row++) {
                double x0 = pop.real(row, 0);
                if (x0 > 0.3 && x0 < 0.5) {
                    out.setObjective(row, 1, x0 < 0.4 ? Double.NaN : Double.NEGATIVE_INFINITY);
                }
            }
        }
    }

    @Test
    void divergingCandidatesArePenalisedNotFatal() {
        DivergingZdt problem = new DivergingZdt();
        Nsga2 run = new Nsga2(problem, Nsga2Config.realDefaults(40, 8, problem.genes()));
        run.run(60);
        for (int i = 0; i < run.populationSize(); i++) {
            assertTrue(Double.isFinite(run.crowding(i)), "crowding of " + i + " is " + run.crowding(i));
        }
        for (double[] f : run.firstFrontObjectives()) {
            assertTrue(Double.isFinite(f[0]) && Double.isFinite(f[1]), "diverged individual in the first front");
        }
        Nsga2 again = new Nsga2(problem, Nsga2Config.realDefaults(40, 8, problem.genes()));
        again.run(60);
        assertSameState(run, again);
    }

    @Test
    void listenerSeesEveryGeneration() {
        Nsga2 run = zdt(3);
        List<long[]> calls = new ArrayList<>();
        run.setListener((g, e, f) -> calls.add(new long[] {g, e, f}));
        run.run(5);
        assertEquals(5, calls.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 1, calls.get(i)[0]);
            assertEquals(40L * (i + 2), calls.get(i)[1]);
            assertTrue(calls.get(i)[2] >= 1 && calls.get(i)[2] <= 40);
        }
        assertEquals(run.firstFrontSize(), calls.get(4)[2]);
    }

    @Test
    void problemAndOperatorsMustAgreeOnEncoding() {
        Zdt problem = new Zdt(Zdt.Variant.ZDT2);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Nsga2(problem, Nsga2Config.binaryDefaults(10, 1, problem.genes())));
        assertTrue(e.getMessage().contains("REAL") && e.getMessage().contains("BINARY"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Nsga2Config.realDefaults(7, 1, 3));
    }
}
