package org.emodir.nativ;

import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;

/**
 * The native CUDA engine: one launch sequence per population (grid.y = individual). Construct only when
 * {@link #isAvailable()}; otherwise the constructor throws with {@link #unavailableReason()}.
 */
public final class NativeCudaEvaluator implements PopulationEvaluator {
    private final NativeProgram program;
    private final EvaluationData data;

    /** True when the library was built with nvcc and a CUDA device is visible. */
    public static boolean isAvailable() {
        return EmodirNative.emodir_cuda_available() == 1;
    }

    /** Why {@link #isAvailable()} is false (e.g. "no CUDA backend: libemodir_native was built without nvcc"). */
    public static String unavailableReason() {
        return isAvailable() ? "" : EmodirNative.emodir_last_error();
    }

    public NativeCudaEvaluator(SubnetProgram program, EvaluationData data) {
        if (!isAvailable()) {
            throw new UnsupportedOperationException(EmodirNative.emodir_last_error());
        }
        data.requireSizes(program.inputSize(), program.outputSize());
        this.data = data;
        this.program = new NativeProgram(program);
    }

    @Override
    public int numGenes() {
        return program.program().numGenes();
    }

    @Override
    public void evaluate(PopulationMasks masks, int population, Objectives out) {
        PopulationEvaluator.checkArguments(numGenes(), masks, population, out);
        int rc = EmodirNative.emodir_cuda_evaluate(program.handle(), masks.buffer().addressOffset(), population,
                data.input().addressOffset(), data.batch(), NativeCpuEvaluator.address(data.reference()),
                NativeCpuEvaluator.address(data.labels()), out.buffer().addressOffset());
        if (rc != EmodirNative.EMODIR_OK) throw NativeException.from(rc);
    }

    @Override
    public void close() {
        program.close();
    }
}
