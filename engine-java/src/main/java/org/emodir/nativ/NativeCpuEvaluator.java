package org.emodir.nativ;

import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;

/**
 * The native CPU engine: each individual runs on compacted tensors of its kept channels (gathered
 * weights, im2col + AVX2/AVX-512 sgemm), individuals and batch chunks spread over {@code threads}.
 */
public final class NativeCpuEvaluator implements PopulationEvaluator {
    private final NativeProgram program;
    private final EvaluationData data;
    private final int threads;

    public NativeCpuEvaluator(SubnetProgram program, EvaluationData data, int threads) {
        if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
        data.requireSizes(program.inputSize(), program.outputSize());
        this.data = data;
        this.threads = threads;
        this.program = new NativeProgram(program);
    }

    @Override
    public int numGenes() {
        return program.program().numGenes();
    }

    @Override
    public void evaluate(PopulationMasks masks, int population, Objectives out) {
        PopulationEvaluator.checkArguments(numGenes(), masks, population, out);
        int rc = EmodirNative.emodir_cpu_evaluate(program.handle(), masks.buffer().addressOffset(), population,
                data.input().addressOffset(), data.batch(), address(data.reference()), address(data.labels()), threads,
                out.buffer().addressOffset());
        if (rc != EmodirNative.EMODIR_OK) throw NativeException.from(rc);
    }

    /**
     * Every individual's output, {@code float[population][batch][outputSize]} into {@code outputs}
     * (for checks against a reference implementation).
     */
    public void forward(PopulationMasks masks, int population, UnsafeBuffer outputs) {
        PopulationEvaluator.checkArguments(numGenes(), masks, population, new Objectives(population));
        long needed = (long) population * data.batch() * program.program().outputSize() * Float.BYTES;
        if (outputs.capacity() < needed) {
            throw new IllegalArgumentException("outputs buffer holds " + outputs.capacity() + " bytes, needs " + needed);
        }
        int rc = EmodirNative.emodir_cpu_forward(program.handle(), masks.buffer().addressOffset(), population,
                data.input().addressOffset(), data.batch(), threads, outputs.addressOffset());
        if (rc != EmodirNative.EMODIR_OK) throw NativeException.from(rc);
    }

    static long address(UnsafeBuffer b) {
        return b == null ? 0L : b.addressOffset();
    }

    @Override
    public void close() {
        program.close();
    }
}
