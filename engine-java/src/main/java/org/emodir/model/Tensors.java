package org.emodir.model;

import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Copies between Java/off-heap memory and CPU libtorch tensors (float32 unless stated). */
public final class Tensors {
    private Tensors() {}

    public static Tensor fromFloats(float[] data, long... shape) {
        TorchRuntime.init();
        Tensor t = torch.empty(shape);
        new FloatPointer(t.data_ptr()).put(data, 0, data.length);
        return t;
    }

    /** A float32 tensor of {@code shape} copied from the start of an off-heap buffer (native byte order). */
    public static Tensor fromBuffer(UnsafeBuffer src, long... shape) {
        TorchRuntime.init();
        Tensor t = torch.empty(shape);
        long bytes = t.numel() * Float.BYTES;
        if (bytes > src.capacity()) {
            throw new IllegalArgumentException("buffer holds " + src.capacity() + " bytes, tensor needs " + bytes);
        }
        new UnsafeBuffer(t.data_ptr().address(), (int) bytes).putBytes(0, src, 0, (int) bytes);
        return t;
    }

    /** int64 tensor (class labels for the losses) of the first {@code n} values. */
    public static Tensor longs(int[] values, int n) {
        TorchRuntime.init();
        Tensor t = torch.empty(new long[] {n}, new TensorOptions(torch.ScalarType.Long), new MemoryFormatOptional());
        LongPointer p = new LongPointer(t.data_ptr());
        for (int i = 0; i < n; i++) p.put(i, values[i]);
        return t;
    }

    public static float[] toFloats(Tensor t) {
        Tensor c = t.detach().contiguous();
        float[] a = new float[Math.toIntExact(c.numel())];
        new FloatPointer(c.data_ptr()).get(a, 0, a.length);
        return a;
    }

    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) s[i] = t.size(i);
        return s;
    }
}
