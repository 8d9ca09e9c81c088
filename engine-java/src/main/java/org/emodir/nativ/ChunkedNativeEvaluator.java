package org.emodir.nativ;

import java.util.Objects;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;

/**
 * What the CPU and CUDA engines share: the native program, the shared inputs, and splitting a population
 * into consecutive native calls that fit the {@link MemoryBudget}. A backend says only how many bytes a call
 * needs and how to run one call on a slice of the population.
 */
abstract class ChunkedNativeEvaluator implements PopulationEvaluator {
    final NativeProgram program;
    final EvaluationData data;
    private final MemoryBudget budget;
    private final String engine;

    ChunkedNativeEvaluator(SubnetProgram program, EvaluationData data, MemoryBudget budget, String engine) {
        data.requireSizes(program.inputSize(), program.outputSize());
        this.data = data;
        this.budget = Objects.requireNonNull(budget, "budget");
        this.engine = engine;
        this.program = new NativeProgram(program);
    }

    /** Native bytes one call on {@code population} individuals allocates (-1 on bad arguments). */
    abstract long callBytes(int population);

    /** One native evaluation of {@code count} individuals; returns an emodir error code. */
    abstract int evaluateCall(long masksAddress, int count, long objectivesAddress);

    /** Individuals per native call under the budget (the whole population when it fits). */
    public int individualsPerCall(int population) {
        return PopulationChunks.perCall(engine + " evaluation of " + data.batch() + " images", this::callBytes, budget,
                population);
    }

    @Override
    public int numGenes() {
        return program.program().numGenes();
    }

    @Override
    public void evaluate(PopulationMasks masks, int population, Objectives out) {
        PopulationEvaluator.checkArguments(numGenes(), masks, population, out);
        int genes = numGenes();
        PopulationChunks.run(population, individualsPerCall(population), (start, count) ->
                evaluateCall(masks.buffer().addressOffset() + (long) start * genes, count,
                        out.buffer().addressOffset() + objectivesOffset(start)));
    }

    static long objectivesOffset(int individual) {
        return (long) individual * Objectives.COUNT * Float.BYTES;
    }

    static long address(UnsafeBuffer b) {
        return b == null ? 0L : b.addressOffset();
    }

    @Override
    public void close() {
        program.close();
    }
}
