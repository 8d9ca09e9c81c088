package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.program.SubnetProgram;
import org.junit.jupiter.api.Test;

/**
 * A provider written before multi-part evaluation (only the one-batch {@code open}) keeps working through the
 * multi-part, precision-taking {@code open}: one fp32 part is handed over as is, anything it cannot evaluate is refused
 * with a message naming the provider instead of being evaluated differently.
 */
class RemoteEvaluatorProviderTest {
    /** Records what the one-batch open was given. */
    static final class Old implements RemoteEvaluatorProvider {
        final List<EvaluationData> opened = new ArrayList<>();

        @Override
        public String name() {
            return "old";
        }

        @Override
        public PopulationEvaluator open(
                String address, String job, SubnetProgram program, EvaluationData data, int threads) {
            opened.add(data);
            return new PopulationEvaluator() {
                @Override
                public int numGenes() {
                    return 1;
                }

                @Override
                public void evaluate(PopulationMasks masks, int population, Objectives out) {}

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void onePartAtFp32GoesToTheOneBatchOpen() {
        Old old = new Old();
        EvaluationData data = EvaluationData.of(new float[4], 2, null, null);
        old.open("here", "job", null, List.of(data), 1, Precision.FP32).close();
        assertEquals(1, old.opened.size());
        assertSame(data, old.opened.get(0));
    }

    @Test
    void severalPartsOrBf16AreRefusedByNameNotEvaluatedOtherwise() {
        Old old = new Old();
        EvaluationData a = EvaluationData.of(new float[4], 2, null, null);
        EvaluationData b = EvaluationData.of(new float[4], 2, null, null);
        UnsupportedOperationException parts = assertThrows(
                UnsupportedOperationException.class,
                () -> old.open("here", "job", null, List.of(a, b), 1, Precision.FP32));
        assertTrue(
                parts.getMessage().contains("--old takes the calibration batch as one part, got 2"),
                parts.getMessage());
        UnsupportedOperationException bf16 = assertThrows(
                UnsupportedOperationException.class,
                () -> old.open("here", "job", null, List.of(a), 1, Precision.BF16));
        assertTrue(bf16.getMessage().contains("--old evaluates fp32 only, not bf16"), bf16.getMessage());
        assertTrue(old.opened.isEmpty());
    }
}
