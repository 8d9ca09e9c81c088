package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.evo.Metrics;
import org.emodir.model.io.StateDict;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's bf16 acceptance on real data: the pretrained CIFAR-10 ResNet-56 (whole network, 27 mask groups) on
 * real test images, a population of random masks with per-individual keep rates 0.3-1.0, evaluated by the native
 * CPU engine in fp32 and in bf16. The search must rank individuals the same way: Spearman >= 0.98 for the mse
 * against the dense fp32 logits and for the cross-entropy, and the non-dominated front of (mse, kept fraction)
 * identical or its hypervolume within 0.5%.
 */
class Bf16FidelityTest {
    private static final int IMAGES = 100, POPULATION = 32, THREADS = 2;

    @Test
    void bf16RanksARealResNet56PopulationLikeFp32() {
        StateDict sd = SharedFixtures.weights(SharedFixtures.RESNET56);
        LabeledBatch batch =
                SharedFixtures.cifarSubset("test", 10, IMAGES).iterator().next();
        SubnetProgram program = ResNetStagePrograms.cifarNetwork(sd, 3, 9, 32, 32);
        float[] images = new float[(int) batch.floats()];
        for (int i = 0; i < images.length; ++i) images[i] = batch.pixels().getFloat(i * Float.BYTES);
        float[] dense = denseLogits(program, images, batch.n());

        EvaluationData data = EvaluationData.of(images, batch.n(), dense, batch.labels());
        Random rng = new Random(17);
        PopulationMasks masks = new PopulationMasks(POPULATION, program.numGenes());
        double[] keptFraction = new double[POPULATION];
        for (int p = 0; p < POPULATION; ++p) {
            double rate = 0.3 + 0.7 * rng.nextDouble();
            int kept = 0;
            for (int g = 0; g < program.groupSizes().length; ++g) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                boolean any = false;
                for (int c = 0; c < size; ++c) {
                    boolean k = rng.nextDouble() < rate;
                    masks.set(p, off + c, k);
                    any |= k;
                }
                if (!any) masks.set(p, off + rng.nextInt(size), true);
            }
            for (int i = 0; i < program.numGenes(); ++i) kept += masks.kept(p, i) ? 1 : 0;
            keptFraction[p] = (double) kept / program.numGenes();
        }
        Objectives fp32 = new Objectives(POPULATION), bf16 = new Objectives(POPULATION);
        try (NativeCpuEvaluator a =
                        new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.host(), Precision.FP32);
                NativeCpuEvaluator b =
                        new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.host(), Precision.BF16)) {
            a.evaluate(masks, POPULATION, fp32);
            b.evaluate(masks, POPULATION, bf16);
        }
        double[] mse32 = new double[POPULATION], mse16 = new double[POPULATION];
        double[] ce32 = new double[POPULATION], ce16 = new double[POPULATION];
        for (int p = 0; p < POPULATION; ++p) {
            mse32[p] = fp32.mse(p);
            mse16[p] = bf16.mse(p);
            ce32[p] = fp32.crossEntropy(p);
            ce16[p] = bf16.crossEntropy(p);
        }
        double rhoMse = spearman(mse32, mse16), rhoCe = spearman(ce32, ce16);
        int[] front32 = front(mse32, keptFraction), front16 = front(mse16, keptFraction);
        double maxMse = Arrays.stream(mse32).max().orElseThrow() * 1.1;
        double hv32 = hypervolume(mse32, keptFraction, front32, maxMse);
        double hv16 = hypervolume(mse16, keptFraction, front16, maxMse);
        System.out.printf(
                "bf16 fidelity (%s): Spearman mse %.4f, ce %.4f; fronts fp32 %s bf16 %s; hypervolume %.6g vs %.6g"
                        + " (%.3f%%)%n",
                Precision.bf16Hardware() ? "VDPBF16PS" : "emulated",
                rhoMse,
                rhoCe,
                Arrays.toString(front32),
                Arrays.toString(front16),
                hv32,
                hv16,
                100 * Math.abs(hv16 - hv32) / hv32);
        assertTrue(rhoMse >= 0.98, "Spearman of mse " + rhoMse);
        assertTrue(rhoCe >= 0.98, "Spearman of cross-entropy " + rhoCe);
        if (!Arrays.equals(front32, front16)) {
            assertTrue(Math.abs(hv16 - hv32) <= 0.005 * hv32, "fronts differ and hypervolume " + hv16 + " vs " + hv32);
        } else {
            assertArrayEquals(front32, front16);
        }
        // bf16 really changed the arithmetic (else the test above proves nothing).
        boolean differs = false;
        for (int p = 0; p < POPULATION; ++p) differs |= mse32[p] != mse16[p];
        assertTrue(differs, "bf16 objectives are bit-identical to fp32");
    }

    private static float[] denseLogits(SubnetProgram program, float[] images, int n) {
        PopulationMasks all = new PopulationMasks(1, program.numGenes());
        for (int i = 0; i < program.numGenes(); ++i) all.set(0, i, true);
        int floats = n * program.outputSize();
        UnsafeBuffer out =
                new UnsafeBuffer(ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()));
        try (NativeCpuEvaluator cpu =
                new NativeCpuEvaluator(program, EvaluationData.of(images, n, null, null), THREADS)) {
            cpu.forward(all, 1, out);
        }
        float[] logits = new float[floats];
        for (int i = 0; i < floats; ++i) logits[i] = out.getFloat(i * Float.BYTES);
        return logits;
    }

    /** Indices (ascending) of the non-dominated points of (mse, kept fraction), both minimised. */
    private static int[] front(double[] mse, double[] kept) {
        List<Integer> f = new ArrayList<>();
        for (int i = 0; i < mse.length; ++i) {
            boolean dominated = false;
            for (int j = 0; j < mse.length && !dominated; ++j)
                dominated = j != i && mse[j] <= mse[i] && kept[j] <= kept[i] && (mse[j] < mse[i] || kept[j] < kept[i]);
            if (!dominated) f.add(i);
        }
        return f.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double hypervolume(double[] mse, double[] kept, int[] front, double refMse) {
        double[][] pts = new double[front.length][];
        for (int i = 0; i < front.length; ++i) pts[i] = new double[] {mse[front[i]], kept[front[i]]};
        return Metrics.hypervolume(pts, new double[] {refMse, 1.1});
    }

    private static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a), rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElseThrow(),
                mb = Arrays.stream(rb).average().orElseThrow();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; ++i) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    private static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; ++i) idx[i] = i;
        Arrays.sort(idx, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ++i) r[idx[i]] = i;
        return r;
    }
}
