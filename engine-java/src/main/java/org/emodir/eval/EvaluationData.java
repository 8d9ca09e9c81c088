package org.emodir.eval;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The batch every individual of a population is evaluated on, off-heap and passed to native code by
 * address: {@code batch} input feature maps (NCHW float32), optionally the reference output of the
 * unpruned network (for MSE) and labels (int32, for cross-entropy/top-1 when the program has a head).
 */
public record EvaluationData(UnsafeBuffer input, int batch, UnsafeBuffer reference, UnsafeBuffer labels) {

    public EvaluationData {
        if (batch <= 0) throw new IllegalArgumentException("batch must be positive, got " + batch);
        if (input == null) throw new IllegalArgumentException("input is required");
    }

    /** Checks the buffers' byte sizes against the program's per-image sizes; errors name the buffer. */
    public void requireSizes(int inputSize, int outputSize) {
        requireBytes("input", input, (long) batch * inputSize * Float.BYTES);
        if (reference != null) requireBytes("reference", reference, (long) batch * outputSize * Float.BYTES);
        if (labels != null) requireBytes("labels", labels, (long) batch * Integer.BYTES);
    }

    private static void requireBytes(String what, UnsafeBuffer b, long needed) {
        if (b.capacity() < needed) {
            throw new IllegalArgumentException(
                    what + " buffer holds " + b.capacity() + " bytes but the batch needs " + needed);
        }
    }

    /** Copies on-heap arrays into fresh direct buffers (tests, small tools); reference/labels may be null. */
    public static EvaluationData of(float[] input, int batch, float[] reference, int[] labels) {
        return new EvaluationData(
                floats(input),
                batch,
                reference == null ? null : floats(reference),
                labels == null ? null : ints(labels));
    }

    public static UnsafeBuffer floats(float[] values) {
        UnsafeBuffer b = new UnsafeBuffer(
                ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder()));
        for (int i = 0; i < values.length; ++i) b.putFloat(i * Float.BYTES, values[i]);
        return b;
    }

    public static UnsafeBuffer ints(int[] values) {
        UnsafeBuffer b = new UnsafeBuffer(
                ByteBuffer.allocateDirect(values.length * Integer.BYTES).order(ByteOrder.nativeOrder()));
        for (int i = 0; i < values.length; ++i) b.putInt(i * Integer.BYTES, values[i]);
        return b;
    }
}
