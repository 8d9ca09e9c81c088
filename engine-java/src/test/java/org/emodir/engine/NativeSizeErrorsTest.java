package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.program.SubnetProgram;
import org.junit.jupiter.api.Test;

/** Raw native calls with sizes that disagree with the program come back as error codes, not JVM crashes. */
class NativeSizeErrorsTest {
    private final SubnetProgram program = TinyPrograms.classifier(1);
    private final EvaluationData data = TinyPrograms.data(program, 2, 2);

    @Test
    void inconsistentCountsAreErrorCodesWithMessages() {
        try (NativeProgram p = new NativeProgram(program)) {
            PopulationMasks masks = new PopulationMasks(1, program.numGenes());
            Objectives out = new Objectives(1);
            for (int[] bad : new int[][] {{0, 2, 1}, {1, 0, 1}, {1, 2, 0}, {-3, 2, 1}}) {
                int rc = EmodirNative.emodir_cpu_evaluate(
                        p.handle(),
                        masks.buffer().addressOffset(),
                        bad[0],
                        data.input().addressOffset(),
                        bad[1],
                        0,
                        0,
                        bad[2],
                        out.buffer().addressOffset());
                assertEquals(
                        EmodirNative.EMODIR_ERR_INVALID_ARGUMENT,
                        rc,
                        "population/batch/threads " + bad[0] + "/" + bad[1] + "/" + bad[2]);
                assertTrue(!EmodirNative.emodir_last_error().isEmpty(), "an error message");
            }
            assertEquals(-1, EmodirNative.emodir_cpu_scratch_bytes(p.handle(), 0, 2, 1));
            assertEquals(-1, EmodirNative.emodir_cuda_scratch_bytes(p.handle(), 1, -1));
        }
    }

    @Test
    void budgetQueriesRejectBadShapesThroughTheEvaluator() {
        try (NativeCpuEvaluator e = new NativeCpuEvaluator(program, data, 1, MemoryBudget.ofBytes(1L << 30))) {
            assertEquals(-1, e.scratchBytes(0));
            assertTrue(e.scratchBytes(1) > 0);
        }
    }
}
