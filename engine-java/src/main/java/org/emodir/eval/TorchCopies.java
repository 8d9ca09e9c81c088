package org.emodir.eval;

import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Copies between a program's arrays, Agrona buffers and libtorch tensors, shared by the libtorch evaluators. */
final class TorchCopies {
    private TorchCopies() {}

    /** A float tensor of {@code shape} holding a copy of {@code values}. */
    static Tensor tensor(float[] values, long... shape) {
        Tensor t = torch.empty(shape);
        new FloatPointer(t.data_ptr()).capacity(values.length).put(values);
        return t;
    }

    /** {@code count} floats of the program's weights from {@code offset}. */
    static float[] slice(float[] weights, long offset, long count) {
        float[] out = new float[Math.toIntExact(count)];
        System.arraycopy(weights, Math.toIntExact(offset), out, 0, out.length);
        return out;
    }

    static float[] floats(UnsafeBuffer b, long n) {
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; ++i) out[i] = b.getFloat(i * Float.BYTES);
        return out;
    }

    static int[] labels(EvaluationData d) {
        int[] out = new int[d.batch()];
        for (int i = 0; i < out.length; ++i) out[i] = d.labels().getInt(i * Integer.BYTES);
        return out;
    }
}
