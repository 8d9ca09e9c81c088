package org.emodir.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.MemoryBudgetException;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.junit.jupiter.api.Test;

/** A population that does not fit the memory budget is split into calls with bit-identical results. */
class MemoryBudgetSplitTest {
    private static final int POPULATION = 13, BATCH = 5, THREADS = 2;

    private final SubnetProgram program = TinyPrograms.classifier(1);
    private final EvaluationData data = TinyPrograms.data(program, BATCH, 2);

    @Test
    void scratchIsAffineInThePopulation() {
        try (NativeCpuEvaluator e = new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE))) {
            long one = e.scratchBytes(1), perExtra = e.scratchBytes(2) - one;
            assertTrue(one > 0 && perExtra > 0, one + " / " + perExtra);
            assertEquals(one + 12 * perExtra, e.scratchBytes(13));
            assertEquals(POPULATION, e.individualsPerCall(POPULATION));
        }
    }

    @Test
    void tinyBudgetSplitsThePopulationWithIdenticalObjectives() {
        PopulationMasks masks = randomMasks(new Random(3));
        Objectives whole = new Objectives(POPULATION), split = new Objectives(POPULATION);
        try (NativeCpuEvaluator big = new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE))) {
            big.evaluate(masks, POPULATION, whole);
            MemoryBudget twoAtATime = MemoryBudget.ofBytes(big.scratchBytes(2));
            try (NativeCpuEvaluator small = new NativeCpuEvaluator(program, data, THREADS, twoAtATime)) {
                assertEquals(2, small.individualsPerCall(POPULATION));
                small.evaluate(masks, POPULATION, split);
            }
        }
        for (int i = 0; i < POPULATION; ++i) {
            for (int k = 0; k < Objectives.COUNT; ++k) {
                assertEquals(Float.floatToRawIntBits(whole.get(i, k)), Float.floatToRawIntBits(split.get(i, k)),
                        "individual " + i + " objective " + k);
            }
        }
        assertTrue(whole.mse(0) > 0 || whole.mse(1) > 0, "random masks must change the output");
    }

    @Test
    void splitForwardWritesEveryIndividualsOutputsInPlace() {
        PopulationMasks masks = randomMasks(new Random(4));
        int floats = POPULATION * BATCH * program.outputSize();
        UnsafeBuffer whole = EvaluationData.floats(new float[floats]), split = EvaluationData.floats(new float[floats]);
        try (NativeCpuEvaluator big = new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE));
             NativeCpuEvaluator small = new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(big.scratchBytes(3)))) {
            big.forward(masks, POPULATION, whole);
            small.forward(masks, POPULATION, split);
            assertEquals(3, small.individualsPerCall(POPULATION));
        }
        for (int i = 0; i < floats; ++i) {
            assertEquals(whole.getInt(i * Float.BYTES), split.getInt(i * Float.BYTES), "output float " + i);
        }
    }

    @Test
    void anIndividualThatCannotFitAloneIsRefusedWithBytesNeededAndBudget() {
        try (NativeCpuEvaluator probe = new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(Long.MAX_VALUE))) {
            long one = probe.scratchBytes(1);
            try (NativeCpuEvaluator e = new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.ofBytes(one - 1))) {
                MemoryBudgetException ex = assertThrows(MemoryBudgetException.class,
                        () -> e.evaluate(randomMasks(new Random(5)), POPULATION, new Objectives(POPULATION)));
                assertTrue(ex.getMessage().contains(one + " bytes") && ex.getMessage().contains((one - 1) + " bytes"),
                        ex.getMessage());
            }
        }
    }

    @Test
    void directBuffersAboveTheConfiguredBudgetAreRefusedBeforeAllocation() {
        String previous = System.getProperty(MemoryBudget.PROPERTY);
        System.setProperty(MemoryBudget.PROPERTY, "1000");
        try {
            MemoryBudgetException ex = assertThrows(MemoryBudgetException.class, () -> new Objectives(1000));
            assertTrue(ex.getMessage().contains("12000 bytes") && ex.getMessage().contains("1000 bytes"), ex.getMessage());
            assertThrows(MemoryBudgetException.class, () -> new PopulationMasks(100, 11));
            assertEquals(83, new Objectives(83).capacity()); // 996 bytes fit
        } finally {
            if (previous == null) System.clearProperty(MemoryBudget.PROPERTY);
            else System.setProperty(MemoryBudget.PROPERTY, previous);
        }
    }

    @Test
    void malformedBudgetPropertyNamesTheProperty() {
        String previous = System.getProperty(MemoryBudget.PROPERTY);
        System.setProperty(MemoryBudget.PROPERTY, "lots");
        try {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, MemoryBudget::host);
            assertTrue(ex.getMessage().contains(MemoryBudget.PROPERTY) && ex.getMessage().contains("lots"), ex.getMessage());
        } finally {
            if (previous == null) System.clearProperty(MemoryBudget.PROPERTY);
            else System.setProperty(MemoryBudget.PROPERTY, previous);
        }
    }

    /** Random masks keeping at least one channel per layer. */
    private PopulationMasks randomMasks(Random r) {
        PopulationMasks masks = new PopulationMasks(POPULATION, program.numGenes());
        for (int i = 0; i < POPULATION; ++i) {
            for (int g = 0; g < program.numGenes(); ++g) masks.set(i, g, r.nextInt(3) != 0);
            for (int group = 0; group < program.groupSizes().length; ++group) masks.set(i, program.groupOffset(group), true);
        }
        return masks;
    }
}
