package org.emodir.evo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.emodir.evo.problems.WeightedMaskProblem;
import org.emodir.evo.problems.Zdt;
import org.junit.jupiter.api.Test;

/** A generation must not allocate in proportion to N: all working arrays live in the engine. */
class Nsga2AllocationTest {
    private static final int GENERATIONS = 200;
    /** Generous bound for JVM noise (e.g. deoptimisation); one boxed value per individual would be kilobytes. */
    private static final long MAX_BYTES_PER_GENERATION = 256;

    private static long allocatedBytesPerGeneration(Nsga2 run) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        run.run(50); // let the JIT settle
        long before = bean.getThreadAllocatedBytes(thread);
        run.run(GENERATIONS);
        return (bean.getThreadAllocatedBytes(thread) - before) / GENERATIONS;
    }

    @Test
    void realGenerationAllocatesNothingPerIndividual() {
        Zdt problem = new Zdt(Zdt.Variant.ZDT3);
        long bytes = allocatedBytesPerGeneration(new Nsga2(problem, Nsga2Config.realDefaults(500, 1, problem.genes())));
        assertTrue(bytes <= MAX_BYTES_PER_GENERATION, bytes + " bytes allocated per generation");
    }

    @Test
    void binaryGenerationAllocatesNothingPerIndividual() {
        MaskLayout layout = MaskLayout.uniformMinKeep(new int[] {16, 32, 64}, 4);
        double[] w = new double[layout.genes()];
        java.util.Arrays.fill(w, 1.0);
        WeightedMaskProblem problem = new WeightedMaskProblem(layout, w, 60);
        Nsga2 run = new Nsga2(problem, new Nsga2Config(500, 2, new NPointCrossover(0.9, 3), new BitFlipMutation(0.01)));
        long bytes = allocatedBytesPerGeneration(run);
        assertTrue(bytes <= MAX_BYTES_PER_GENERATION, bytes + " bytes allocated per generation");
    }
}
