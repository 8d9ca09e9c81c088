package org.emodir.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.MemoryBudget;
import org.emodir.program.SubnetProgram;

/**
 * Inference of one network on the native CPU engine: a whole-network program (stem, blocks, head; for a pruned
 * model its physical widths) run as a single individual that keeps every channel, through the same
 * {@code emodir_cpu_forward} kernels the population evaluator uses. A batch whose scratch exceeds the
 * {@link MemoryBudget} runs as consecutive image ranges (each image is computed independently, so the logits do
 * not depend on the split).
 */
public final class NativeNetwork implements AutoCloseable {
    private final NativeProgram program;
    private final UnsafeBuffer keepAll;
    private final int threads;
    private final MemoryBudget budget;
    private UnsafeBuffer input = direct(0);
    private UnsafeBuffer logits = direct(0);

    /** {@code network} must end with the classifier head ({@link SubnetProgram#hasHead()}). */
    public NativeNetwork(SubnetProgram network, int threads, Precision precision, MemoryBudget budget) {
        if (!network.hasHead()) throw new IllegalArgumentException("a network program must end with its head");
        if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
        this.program = new NativeProgram(network);
        this.threads = threads;
        this.budget = budget;
        keepAll = direct(Math.max(1, network.numGenes()));
        keepAll.setMemory(0, keepAll.capacity(), (byte) 1);
        int rc = EmodirNative.emodir_program_set_precision(program.handle(), precision.code());
        if (rc != EmodirNative.EMODIR_OK) {
            close();
            throw NativeException.from(rc);
        }
    }

    /** Logits {@code [n][classes]} of {@code n} NCHW images at {@code pixels}' offset 0 (native byte order). */
    public float[] logits(UnsafeBuffer pixels, int n) {
        SubnetProgram p = program.program();
        long needed = (long) n * p.inputSize() * Float.BYTES;
        if (n <= 0 || pixels.capacity() < needed) {
            throw new IllegalArgumentException(
                    n + " images need " + needed + " input bytes, the buffer holds " + pixels.capacity());
        }
        if (pixels.byteArray() != null) { // a heap buffer has no stable address for the native call
            throw new IllegalArgumentException("pixels must be an off-heap buffer");
        }
        int classes = p.outputSize();
        logits = ensure(logits, (long) n * classes * Float.BYTES);
        int step = imagesPerCall(n);
        for (int first = 0; first < n; first += step) {
            int rc = EmodirNative.emodir_cpu_forward(
                    program.handle(),
                    keepAll.addressOffset(),
                    1,
                    pixels.addressOffset() + (long) first * p.inputSize() * Float.BYTES,
                    Math.min(step, n - first),
                    threads,
                    logits.addressOffset() + (long) first * classes * Float.BYTES);
            if (rc != EmodirNative.EMODIR_OK) throw NativeException.from(rc);
        }
        float[] out = new float[n * classes];
        for (int i = 0; i < out.length; i++) out[i] = logits.getFloat(i * Float.BYTES);
        return out;
    }

    /** Logits of {@code n} images given as a float array (NCHW). */
    public float[] logits(float[] pixels, int n) {
        input = ensure(input, (long) pixels.length * Float.BYTES);
        for (int i = 0; i < pixels.length; i++) input.putFloat(i * Float.BYTES, pixels[i]);
        return logits(input, n);
    }

    private int imagesPerCall(int n) {
        long one = EmodirNative.emodir_cpu_scratch_bytes(program.handle(), 1, 1, threads);
        long all = EmodirNative.emodir_cpu_scratch_bytes(program.handle(), 1, n, threads);
        if (one < 0 || all < 0) throw new IllegalStateException(EmodirNative.emodir_last_error());
        long perImage = n > 1 ? (all - one) / (n - 1) : 0;
        // Images play the role of individuals here: the first costs the per-thread scratch, each further one little.
        return budget.individualsPerCall(
                "native forward of " + program.program().ops().size() + " ops", one, perImage, n);
    }

    private static UnsafeBuffer ensure(UnsafeBuffer b, long bytes) {
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException(bytes + " bytes in one buffer");
        return b.capacity() >= bytes ? b : direct((int) bytes);
    }

    private static UnsafeBuffer direct(int bytes) {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder()));
    }

    @Override
    public void close() {
        program.close();
    }
}
