package org.emodir.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.program.SubnetProgram;

/**
 * What the CPU and CUDA engines share: the native program, the shared inputs, and splitting an evaluation
 * into consecutive native calls that fit the {@link MemoryBudget}. A backend says only how many bytes a call
 * needs and how to run one call on a slice of the population and of the image batch.
 *
 * <p>A population over the budget is split into blocks of individuals (bit-identical objectives). When even
 * one individual on the whole batch does not fit, the batch is split too: every block is evaluated on
 * consecutive image sub-batches, each a pointer offset into the same batch-major input, reference and label
 * buffers (nothing is copied), and the per-sub-batch objectives are combined exactly as the unsplit call
 * defines them: MSE and cross-entropy are means over images (and output values), so their sub-batch means are
 * weighted by the sub-batch's image count; top-1 is a count and is summed. The combination runs in double,
 * so the result differs from one call only by the float rounding of the partial means (a few ulp).
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

    /** Native bytes one call on {@code population} individuals and {@code images} images allocates (-1 on bad arguments). */
    abstract long callBytes(int population, int images);

    /**
     * One native evaluation of {@code count} individuals on {@code images} images starting at the given
     * input/reference/labels addresses (reference and labels 0 when absent); returns an emodir error code.
     */
    abstract int evaluateCall(
            long masksAddress,
            int count,
            long inputAddress,
            int images,
            long referenceAddress,
            long labelsAddress,
            long objectivesAddress);

    /** How {@code population} individuals are cut into native calls under the budget. */
    final PopulationChunks.Plan plan(int population) {
        return PopulationChunks.plan(
                engine + " evaluation of " + data.batch() + " images",
                this::callBytes,
                budget,
                population,
                data.batch());
    }

    /** Individuals per native call under the budget (the whole population when it fits). */
    public int individualsPerCall(int population) {
        return plan(population).individualsPerCall();
    }

    /** Images per native call under the budget: the whole batch unless one individual on it does not fit. */
    public int imagesPerCall(int population) {
        return plan(population).imagesPerCall();
    }

    @Override
    public int numGenes() {
        return program.program().numGenes();
    }

    @Override
    public void evaluate(PopulationMasks masks, int population, Objectives out) {
        PopulationEvaluator.checkArguments(numGenes(), masks, population, out);
        int genes = numGenes();
        PopulationChunks.Plan plan = plan(population);
        if (!plan.splitsImages()) {
            PopulationChunks.run(
                    population,
                    plan.individualsPerCall(),
                    (start, count) -> evaluateCall(
                            masks.buffer().addressOffset() + (long) start * genes,
                            count,
                            data.input().addressOffset(),
                            data.batch(),
                            address(data.reference()),
                            address(data.labels()),
                            out.buffer().addressOffset() + objectivesOffset(start)));
            return;
        }
        int batch = data.batch();
        UnsafeBuffer part =
                new UnsafeBuffer(ByteBuffer.allocateDirect((int) objectivesOffset(plan.individualsPerCall()))
                        .order(ByteOrder.nativeOrder()));
        double[] sums = new double[plan.individualsPerCall() * Objectives.COUNT];
        PopulationChunks.run(population, plan.individualsPerCall(), (start, count) -> {
            java.util.Arrays.fill(sums, 0.0);
            for (int first = 0; first < batch; first += plan.imagesPerCall()) {
                int images = Math.min(plan.imagesPerCall(), batch - first);
                int rc = evaluateCall(
                        masks.buffer().addressOffset() + (long) start * genes,
                        count,
                        inputAddress(first),
                        images,
                        referenceAddress(first),
                        labelsAddress(first),
                        part.addressOffset());
                if (rc != EmodirNative.EMODIR_OK) return rc;
                for (int i = 0; i < count; ++i) {
                    int o = i * Objectives.COUNT;
                    sums[o + Objectives.MSE] += (double) part.getFloat((o + Objectives.MSE) * Float.BYTES) * images;
                    sums[o + Objectives.CROSS_ENTROPY] +=
                            (double) part.getFloat((o + Objectives.CROSS_ENTROPY) * Float.BYTES) * images;
                    sums[o + Objectives.TOP1] += part.getFloat((o + Objectives.TOP1) * Float.BYTES);
                }
            }
            for (int i = 0; i < count; ++i) {
                int o = i * Objectives.COUNT;
                out.set(start + i, Objectives.MSE, (float) (sums[o + Objectives.MSE] / batch));
                out.set(start + i, Objectives.CROSS_ENTROPY, (float) (sums[o + Objectives.CROSS_ENTROPY] / batch));
                out.set(start + i, Objectives.TOP1, (float) sums[o + Objectives.TOP1]);
            }
            return EmodirNative.EMODIR_OK;
        });
    }

    /** Address of image {@code first} of the batch-major input ({@code float[batch][inputSize]}). */
    final long inputAddress(int first) {
        return data.input().addressOffset() + (long) first * program.program().inputSize() * Float.BYTES;
    }

    private long referenceAddress(int first) {
        return data.reference() == null
                ? 0L
                : data.reference().addressOffset()
                        + (long) first * program.program().outputSize() * Float.BYTES;
    }

    private long labelsAddress(int first) {
        return data.labels() == null ? 0L : data.labels().addressOffset() + (long) first * Integer.BYTES;
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
