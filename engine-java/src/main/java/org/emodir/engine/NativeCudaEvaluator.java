package org.emodir.engine;

import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.program.SubnetProgram;

/**
 * The native CUDA engine: one launch sequence per population (grid.y = individual). Construct only when
 * {@link #isAvailable()}; otherwise the constructor throws with {@link #unavailableReason()}. A population
 * whose device memory exceeds the {@link MemoryBudget} (default: a quarter of the device's free memory) is
 * evaluated in several launch sequences, on image sub-batches when one individual on the whole batch does not fit.
 */
public final class NativeCudaEvaluator extends ChunkedNativeEvaluator {

    /** True when the library was built with nvcc and a CUDA device is visible. */
    public static boolean isAvailable() {
        NativeLibraries.load();
        return EmodirNative.emodir_cuda_available() == 1;
    }

    /** Why {@link #isAvailable()} is false (e.g. "no CUDA backend: libemodir_native was built without nvcc"). */
    public static String unavailableReason() {
        return isAvailable() ? "" : EmodirNative.emodir_last_error();
    }

    public NativeCudaEvaluator(SubnetProgram program, EvaluationData data) {
        this(program, data, null);
    }

    /** {@code budget} null: -Demodir.memory.budget or a quarter of the device memory free now. */
    public NativeCudaEvaluator(SubnetProgram program, EvaluationData data, MemoryBudget budget) {
        super(program, data, availableBudget(budget), "CUDA");
    }

    /** The batch as consecutive parts streamed through the device (see {@link ChunkedNativeEvaluator}). */
    public NativeCudaEvaluator(SubnetProgram program, java.util.List<EvaluationData> parts, MemoryBudget budget) {
        super(program, parts, availableBudget(budget), "CUDA");
    }

    /** Checks availability before anything native is created, then picks the budget. */
    private static MemoryBudget availableBudget(MemoryBudget budget) {
        if (!isAvailable()) {
            throw new UnsupportedOperationException(EmodirNative.emodir_last_error());
        }
        return budget != null ? budget : MemoryBudget.ofFree(freeDeviceBytes(), "CUDA device 0");
    }

    private static long freeDeviceBytes() {
        long free = EmodirNative.emodir_cuda_free_bytes();
        if (free < 0) throw new NativeException(EmodirNative.EMODIR_ERR_NO_CUDA, EmodirNative.emodir_last_error());
        return free;
    }

    /**
     * Device bytes one native call on {@code population} individuals and the whole batch allocates; with the batch in
     * several parts, on the largest part (the most images one call is given).
     */
    public long deviceBytes(int population) {
        return deviceBytes(population, imagesPerUnsplitCall());
    }

    /** Device bytes one native call on {@code population} individuals and {@code images} images allocates. */
    public long deviceBytes(int population, int images) {
        return EmodirNative.emodir_cuda_scratch_bytes(program.handle(), population, images);
    }

    @Override
    long callBytes(int population, int images) {
        return deviceBytes(population, images);
    }

    @Override
    int evaluateCall(
            long masksAddress,
            int count,
            long inputAddress,
            int images,
            long referenceAddress,
            long labelsAddress,
            long objectivesAddress) {
        return EmodirNative.emodir_cuda_evaluate(
                program.handle(),
                masksAddress,
                count,
                inputAddress,
                images,
                referenceAddress,
                labelsAddress,
                objectivesAddress);
    }
}
