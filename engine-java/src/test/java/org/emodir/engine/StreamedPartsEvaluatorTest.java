package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.StreamedParts;
import org.emodir.program.SubnetProgram;
import org.junit.jupiter.api.Test;

/**
 * The batch in several parts at a given precision (the search's evaluator on segmented or bf16-stored features): bf16
 * objectives over parts equal bf16 objectives over the batch in one part, and {@link StreamedParts}, whose parts are
 * decoded into the same reused buffers, are read once each, in order, and never kept (issue 17).
 */
class StreamedPartsEvaluatorTest {
    private static final int POPULATION = 9, BATCH = 11, THREADS = 2;
    private static final MemoryBudget UNLIMITED = MemoryBudget.ofBytes(Long.MAX_VALUE);

    private final SubnetProgram program = TinyPrograms.classifier(17);
    private final EvaluationData data = TinyPrograms.data(program, BATCH, 18);
    private final PopulationMasks masks = masks(new Random(19));

    @Test
    void bf16ObjectivesOverPartsEqualBf16ObjectivesOverTheWholeBatch() {
        Objectives one = evaluate(List.of(data), Precision.BF16, UNLIMITED);
        Objectives streamed = evaluate(new Reused(data, 4, 4, 3), Precision.BF16, UNLIMITED);
        Objectives views = evaluate(new Reused(data, 4, 4, 3).copies(), Precision.BF16, UNLIMITED);
        MemoryBudget threeImages;
        try (NativeCpuEvaluator probe = new NativeCpuEvaluator(program, data, THREADS, UNLIMITED, Precision.BF16)) {
            threeImages = MemoryBudget.ofBytes(probe.scratchBytes(1, 3));
        }
        Objectives subBatches = evaluate(new Reused(data, 5, 6), Precision.BF16, threeImages);
        assertMatch(one, streamed, "streamed parts");
        assertMatch(one, views, "parts in a plain list");
        assertMatch(one, subBatches, "parts split into sub-batches of 3 images");

        // The multi-part evaluator really runs bf16 (an evaluator that ignored the precision would pass the above).
        Objectives fp32 = evaluate(new Reused(data, 4, 4, 3), Precision.FP32, UNLIMITED);
        boolean differs = false;
        for (int i = 0; i < POPULATION; i++) differs |= fp32.mse(i) != streamed.mse(i);
        assertTrue(differs, "bf16 over parts is bit-identical to fp32");
        // and stays near fp32: individual 0 keeps everything, so its bf16 MSE is the rounding noise alone
        double noise = streamed.mse(0);
        for (int i = 1; i < POPULATION; i++) {
            double a = fp32.mse(i);
            double tolerance = 0.05 * a + 3 * Math.sqrt(a * noise) + 3 * noise + 1e-6;
            assertEquals(a, streamed.mse(i), tolerance, "bf16 near fp32, individual " + i);
        }
    }

    /** Would fail on the evaluator that kept {@code parts.get(0)}: it fetched part 0 again and sized calls by it. */
    @Test
    void streamedPartsAreReadOnceInOrderAndNoneIsKept() {
        Reused parts = new Reused(data, 2, 5, 4);
        try (NativeCpuEvaluator e = new NativeCpuEvaluator(program, parts, THREADS, UNLIMITED, Precision.BF16)) {
            assertEquals(List.of(0, 1, 2), parts.reads, "construction checks each part once, in order");
            assertEquals(BATCH, e.batch());
            // the largest call is on the largest part, not on whichever part the reused buffers held first
            assertEquals(e.scratchBytes(3, 5), e.scratchBytes(3));
            assertNotEquals(e.scratchBytes(3, 2), e.scratchBytes(3));
            assertThrows(
                    UnsupportedOperationException.class,
                    () -> e.forward(masks, 1, EvaluationData.floats(new float[BATCH * program.outputSize()])));
            e.evaluate(masks, POPULATION, new Objectives(POPULATION));
            assertEquals(List.of(0, 1, 2, 0, 1, 2), parts.reads, "an evaluation streams every part once");
        }
    }

    @Test
    void oneStreamedPartIsTakenOnceAndIsTheBatch() {
        Objectives plain = evaluate(List.of(data), Precision.BF16, UNLIMITED);
        Reused one = new Reused(data, BATCH);
        MemoryBudget threeImages;
        try (NativeCpuEvaluator probe = new NativeCpuEvaluator(program, data, THREADS, UNLIMITED, Precision.BF16)) {
            threeImages = MemoryBudget.ofBytes(probe.scratchBytes(1, 3));
        }
        try (NativeCpuEvaluator e = new NativeCpuEvaluator(program, one, THREADS, UNLIMITED, Precision.BF16);
                NativeCpuEvaluator split = new NativeCpuEvaluator(program, one, THREADS, threeImages, Precision.BF16)) {
            assertEquals(e.scratchBytes(2, BATCH), e.scratchBytes(2));
            Objectives a = new Objectives(POPULATION), b = new Objectives(POPULATION);
            e.evaluate(masks, POPULATION, a);
            assertEquals(3, split.imagesPerCall(POPULATION));
            split.evaluate(masks, POPULATION, b);
            assertEquals(List.of(0, 0), one.reads, "each evaluator took the one part once, at construction");
            for (int i = 0; i < POPULATION; i++) {
                for (int k = 0; k < Objectives.COUNT; k++) {
                    assertEquals(plain.get(i, k), a.get(i, k), "one streamed part is the batch: " + i + "/" + k);
                }
            }
            assertMatch(plain, b, "one streamed part split into sub-batches");
        }
    }

    private Objectives evaluate(List<EvaluationData> parts, Precision p, MemoryBudget budget) {
        Objectives out = new Objectives(POPULATION);
        try (NativeCpuEvaluator e = new NativeCpuEvaluator(program, parts, THREADS, budget, p)) {
            e.evaluate(masks, POPULATION, out);
        }
        return out;
    }

    /** MSE and cross-entropy within 1e-5 relative (per-part means recombined in double), top-1 counts equal. */
    private static void assertMatch(Objectives want, Objectives got, String what) {
        for (int i = 0; i < POPULATION; i++) {
            for (int k = 0; k < Objectives.COUNT; k++) {
                float a = want.get(i, k), b = got.get(i, k);
                String m = what + ", individual " + i + " objective " + k + ": " + a + " vs " + b;
                if (k == Objectives.TOP1) assertEquals(a, b, m);
                else assertEquals(a, b, 1e-5 * Math.abs(a) + 1e-7, m);
            }
        }
    }

    private PopulationMasks masks(Random r) {
        PopulationMasks m = new PopulationMasks(POPULATION, program.numGenes());
        for (int p = 1; p < POPULATION; p++) { // individual 0 keeps everything
            double keep = 0.3 + 0.7 * r.nextDouble();
            for (int g = 0; g < program.groupSizes().length; g++) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                for (int c = 0; c < size; c++) m.set(p, off + c, c == 0 || r.nextDouble() < keep);
            }
        }
        for (int i = 0; i < program.numGenes(); i++) m.set(0, i, true);
        return m;
    }

    /**
     * Consecutive image ranges of {@code whole}, each copied on {@code get} into the same two reused buffers (like the
     * feature cache's bf16 parts), with the labels as views; records which parts were read.
     */
    private final class Reused extends StreamedParts {
        final EvaluationData whole;
        final int[] sizes;
        final List<Integer> reads = new ArrayList<>();
        final UnsafeBuffer input, reference;

        Reused(EvaluationData whole, int... sizes) {
            this.whole = whole;
            this.sizes = sizes;
            int largest = java.util.Arrays.stream(sizes).max().orElseThrow();
            input = EvaluationData.floats(new float[largest * program.inputSize()]);
            reference = EvaluationData.floats(new float[largest * program.outputSize()]);
        }

        @Override
        public EvaluationData get(int s) {
            reads.add(s);
            int first = 0;
            for (int i = 0; i < s; i++) first += sizes[i];
            int n = sizes[s];
            int in = program.inputSize() * Float.BYTES, out = program.outputSize() * Float.BYTES;
            input.putBytes(0, whole.input(), first * in, n * in);
            reference.putBytes(0, whole.reference(), first * out, n * out);
            return new EvaluationData(
                    new UnsafeBuffer(input, 0, n * in),
                    n,
                    new UnsafeBuffer(reference, 0, n * out),
                    new UnsafeBuffer(whole.labels(), first * Integer.BYTES, n * Integer.BYTES));
        }

        @Override
        public int size() {
            return sizes.length;
        }

        /** The same parts as independent copies in a plain list. */
        List<EvaluationData> copies() {
            List<EvaluationData> out = new ArrayList<>();
            for (int s = 0; s < sizes.length; s++) {
                EvaluationData d = get(s);
                UnsafeBuffer in = EvaluationData.floats(new float[d.batch() * program.inputSize()]);
                UnsafeBuffer ref = EvaluationData.floats(new float[d.batch() * program.outputSize()]);
                in.putBytes(0, d.input(), 0, in.capacity());
                ref.putBytes(0, d.reference(), 0, ref.capacity());
                out.add(new EvaluationData(in, d.batch(), ref, d.labels()));
            }
            return out;
        }
    }
}
