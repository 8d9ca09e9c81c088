package org.emodir.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.StreamedParts;
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
 *
 * <p>The batch may also come as several parts (consecutive image ranges, each contiguous, e.g. the segments of a
 * memory-mapped feature file larger than memory): the parts are streamed through the same sub-batch path, so the
 * objectives combine exactly as for a split single batch. {@link StreamedParts} (e.g. bfloat16 features decoded into
 * reused buffers) are only ever read in order: an element is valid until the next {@code get}, so nothing of a part is
 * kept beyond its use except, when the batch is one part, that part itself (no later {@code get} can overwrite it with
 * another part's images).
 */
abstract class ChunkedNativeEvaluator implements PopulationEvaluator {
    final NativeProgram program;
    /**
     * The batch when it is one part, else null. Never "the first part" of several: {@link StreamedParts} decode every
     * part into the same reused buffers, so a kept first part would show whichever part was read last.
     */
    private final EvaluationData whole;

    private final List<EvaluationData> parts;
    private final int batch;
    private final int largestPart;
    private final MemoryBudget budget;
    private final String engine;

    ChunkedNativeEvaluator(SubnetProgram program, EvaluationData data, MemoryBudget budget, String engine) {
        this(program, List.of(data), budget, engine);
    }

    /** {@code parts}: the batch as consecutive image ranges, all with reference and labels present or all absent. */
    ChunkedNativeEvaluator(SubnetProgram program, List<EvaluationData> parts, MemoryBudget budget, String engine) {
        if (parts.isEmpty()) throw new IllegalArgumentException("evaluation data has no parts");
        long total = 0;
        int largest = 0;
        // One pass in order (each streamed part is valid only until the next get); only sizes and flags are kept.
        EvaluationData first = null;
        boolean withReference = false, withLabels = false;
        for (EvaluationData d : parts) {
            d.requireSizes(program.inputSize(), program.outputSize());
            if (first == null) {
                first = d;
                withReference = d.reference() != null;
                withLabels = d.labels() != null;
            } else if ((d.reference() != null) != withReference || (d.labels() != null) != withLabels) {
                throw new IllegalArgumentException("evaluation data parts differ in having a reference or labels");
            }
            total += d.batch();
            largest = Math.max(largest, d.batch());
        }
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException(total + " images in one evaluation");
        // Streamed parts reuse their buffers: kept as the list, read one after another; any other list is copied.
        this.parts = parts instanceof StreamedParts ? parts : List.copyOf(parts);
        // One part: it is the batch, and no other part can overwrite it (nothing gets it again: see evaluate).
        this.whole = parts.size() == 1 ? first : null;
        this.batch = (int) total;
        this.largestPart = largest;
        this.budget = Objects.requireNonNull(budget, "budget");
        this.engine = engine;
        this.program = new NativeProgram(program);
    }

    /** Images evaluated per individual (all parts). */
    public final int batch() {
        return batch;
    }

    /** True when the batch is one contiguous part. */
    final boolean singlePart() {
        return whole != null;
    }

    /**
     * The batch as one part (for calls that need every image at once, e.g. {@code forward}).
     *
     * @throws UnsupportedOperationException when the batch came as several parts
     */
    final EvaluationData whole(String what) {
        if (whole == null)
            throw new UnsupportedOperationException(what + " needs the batch as one part, got " + parts.size());
        return whole;
    }

    /**
     * Images of the largest native call on an unsplit batch: the whole batch when it is one part, else the largest
     * part (parts are never evaluated together in one call).
     */
    final int imagesPerUnsplitCall() {
        return whole != null ? batch : largestPart;
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
                engine + " evaluation of " + batch + " images" + (singlePart() ? "" : " in " + parts.size() + " parts"),
                this::callBytes,
                budget,
                population,
                largestPart);
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
        if (singlePart() && !plan.splitsImages()) {
            EvaluationData data = whole;
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
        // The one part as taken at construction (not fetched again), else every part in order, each used at once.
        List<EvaluationData> stream = whole != null ? List.of(whole) : parts;
        UnsafeBuffer part =
                new UnsafeBuffer(ByteBuffer.allocateDirect((int) objectivesOffset(plan.individualsPerCall()))
                        .order(ByteOrder.nativeOrder()));
        double[] sums = new double[plan.individualsPerCall() * Objectives.COUNT];
        PopulationChunks.run(population, plan.individualsPerCall(), (start, count) -> {
            java.util.Arrays.fill(sums, 0.0);
            for (EvaluationData d : stream) {
                for (int first = 0; first < d.batch(); first += plan.imagesPerCall()) {
                    int images = Math.min(plan.imagesPerCall(), d.batch() - first);
                    int rc = evaluateCall(
                            masks.buffer().addressOffset() + (long) start * genes,
                            count,
                            inputAddress(d, first),
                            images,
                            referenceAddress(d, first),
                            labelsAddress(d, first),
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

    /** Address of image {@code first} of part {@code d}'s batch-major input ({@code float[batch][inputSize]}). */
    final long inputAddress(EvaluationData d, int first) {
        return d.input().addressOffset() + (long) first * program.program().inputSize() * Float.BYTES;
    }

    private long referenceAddress(EvaluationData d, int first) {
        return d.reference() == null
                ? 0L
                : d.reference().addressOffset()
                        + (long) first * program.program().outputSize() * Float.BYTES;
    }

    private long labelsAddress(EvaluationData d, int first) {
        return d.labels() == null ? 0L : d.labels().addressOffset() + (long) first * Integer.BYTES;
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
