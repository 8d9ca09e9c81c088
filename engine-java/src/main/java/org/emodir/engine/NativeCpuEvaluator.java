package org.emodir.engine;

import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.program.SubnetProgram;

/**
 * The native CPU engine: each individual runs on compacted tensors of its kept channels (gathered
 * weights, im2col + AVX2/AVX-512 sgemm), individuals and batch chunks spread over {@code threads}. A
 * population whose scratch exceeds the {@link MemoryBudget} is evaluated in several native calls.
 */
public final class NativeCpuEvaluator extends ChunkedNativeEvaluator {
    private final int threads;
    private final Precision precision;

    /** Budget from {@link MemoryBudget#host()} (-Demodir.memory.budget or a quarter of free memory). */
    public NativeCpuEvaluator(SubnetProgram program, EvaluationData data, int threads) {
        this(program, data, threads, MemoryBudget.host());
    }

    public NativeCpuEvaluator(SubnetProgram program, EvaluationData data, int threads, MemoryBudget budget) {
        this(program, data, threads, budget, Precision.FP32);
    }

    /** With {@link Precision#BF16} the convs use bf16 weights and inputs with fp32 accumulation. */
    public NativeCpuEvaluator(
            SubnetProgram program, EvaluationData data, int threads, MemoryBudget budget, Precision precision) {
        this(program, List.of(data), threads, budget, precision);
    }

    /** The batch as consecutive parts streamed through the engine (see {@link ChunkedNativeEvaluator}), fp32. */
    public NativeCpuEvaluator(SubnetProgram program, List<EvaluationData> parts, int threads, MemoryBudget budget) {
        this(program, parts, threads, budget, Precision.FP32);
    }

    /**
     * The batch as consecutive parts streamed through the engine, at {@code precision}: the objectives equal those of
     * the same batch in one part at the same precision, to the rounding of the combined per-part means.
     */
    public NativeCpuEvaluator(
            SubnetProgram program, List<EvaluationData> parts, int threads, MemoryBudget budget, Precision precision) {
        super(program, parts, budget, "CPU");
        if (threads <= 0 || precision == null) {
            close();
            throw new IllegalArgumentException(
                    precision == null ? "precision is required" : "threads must be positive, got " + threads);
        }
        this.threads = threads;
        this.precision = precision;
        int rc = EmodirNative.emodir_program_set_precision(this.program.handle(), precision.code());
        if (rc != EmodirNative.EMODIR_OK) {
            close();
            throw new IllegalStateException("emodir_program_set_precision: " + EmodirNative.emodir_last_error());
        }
    }

    /** The conv arithmetic this evaluator runs. */
    public Precision precision() {
        return precision;
    }

    /**
     * Host scratch bytes one native call on {@code population} individuals and the whole batch allocates; with the
     * batch in several parts, on the largest part (the most images one call is given).
     */
    public long scratchBytes(int population) {
        return scratchBytes(population, imagesPerUnsplitCall());
    }

    /** Host scratch bytes one native call on {@code population} individuals and {@code images} images allocates. */
    public long scratchBytes(int population, int images) {
        return EmodirNative.emodir_cpu_scratch_bytes(program.handle(), population, images, threads);
    }

    @Override
    long callBytes(int population, int images) {
        return scratchBytes(population, images);
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
        return EmodirNative.emodir_cpu_evaluate(
                program.handle(),
                masksAddress,
                count,
                inputAddress,
                images,
                referenceAddress,
                labelsAddress,
                threads,
                objectivesAddress);
    }

    /**
     * Every individual's output, {@code float[population][batch][outputSize]} into {@code outputs}
     * (for checks against a reference implementation).
     */
    public void forward(PopulationMasks masks, int population, UnsafeBuffer outputs) {
        PopulationEvaluator.checkArguments(numGenes(), masks, population, new Objectives(population));
        EvaluationData data = whole("forward");
        long perIndividual = (long) data.batch() * program.program().outputSize() * Float.BYTES;
        long needed = population * perIndividual;
        if (outputs.capacity() < needed) {
            throw new IllegalArgumentException(
                    "outputs buffer holds " + outputs.capacity() + " bytes, needs " + needed);
        }
        int genes = numGenes();
        PopulationChunks.Plan plan = plan(population);
        if (!plan.splitsImages()) {
            PopulationChunks.run(
                    population,
                    plan.individualsPerCall(),
                    (start, count) -> EmodirNative.emodir_cpu_forward(
                            program.handle(),
                            masks.buffer().addressOffset() + (long) start * genes,
                            count,
                            data.input().addressOffset(),
                            data.batch(),
                            threads,
                            outputs.addressOffset() + start * perIndividual));
            return;
        }
        // One individual per call: its outputs on images [first, first + n) are contiguous in the output layout.
        long perImage = (long) program.program().outputSize() * Float.BYTES;
        PopulationChunks.run(population, 1, (individual, one) -> {
            for (int first = 0; first < data.batch(); first += plan.imagesPerCall()) {
                int rc = EmodirNative.emodir_cpu_forward(
                        program.handle(),
                        masks.buffer().addressOffset() + (long) individual * genes,
                        1,
                        inputAddress(data, first),
                        Math.min(plan.imagesPerCall(), data.batch() - first),
                        threads,
                        outputs.addressOffset() + individual * perIndividual + first * perImage);
                if (rc != EmodirNative.EMODIR_OK) return rc;
            }
            return EmodirNative.EMODIR_OK;
        });
    }
}
