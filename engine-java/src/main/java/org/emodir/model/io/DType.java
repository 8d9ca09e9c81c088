package org.emodir.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Element types a weights file may store, all widened/narrowed to float32 on read because
 * {@link NamedTensor} is float32 only. Integer types are accepted for BatchNorm's
 * {@code num_batches_tracked} counter, whose value no consumer uses.
 */
enum DType {
    F32(4, "FloatStorage"),
    F16(2, "HalfStorage"),
    BF16(2, "BFloat16Storage"),
    F64(8, "DoubleStorage"),
    I64(8, "LongStorage"),
    I32(4, "IntStorage");

    /** Bytes per element in the file. */
    public final int bytes;
    /** Class name torch.save pickles for a storage of this type (module {@code torch}). */
    public final String torchStorage;

    DType(int bytes, String torchStorage) {
        this.bytes = bytes;
        this.torchStorage = torchStorage;
    }

    /** The safetensors dtype string, or null when emodir cannot convert it to float32. */
    public static DType ofSafeTensors(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) return d;
        }
        return null;
    }

    /** The dtype of a torch storage class name such as {@code FloatStorage}, or null if unsupported. */
    public static DType ofTorchStorage(String className) {
        for (DType d : values()) {
            if (d.torchStorage.equals(className)) return d;
        }
        return null;
    }

    /** Decodes {@code count} little-endian elements starting at the buffer's position. */
    public float[] decode(ByteBuffer source, int count) {
        ByteBuffer in = source.slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        switch (this) {
            case F32 -> in.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < count; i++) out[i] = (float) in.getDouble(i * 8);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) out[i] = halfToFloat(in.getShort(i * 2));
            }
            case BF16 -> {
                // bfloat16 is the upper half of a float32.
                for (int i = 0; i < count; i++) out[i] = Float.intBitsToFloat((in.getShort(i * 2) & 0xFFFF) << 16);
            }
            case I64 -> {
                for (int i = 0; i < count; i++) out[i] = in.getLong(i * 8);
            }
            case I32 -> {
                for (int i = 0; i < count; i++) out[i] = in.getInt(i * 4);
            }
        }
        return out;
    }

    /** IEEE 754 binary16 to float32 (Float.float16ToFloat only exists from Java 20). */
    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13)); // inf / NaN
        if (exp == 0) {
            float magnitude = mant * 0x1p-24f; // subnormal (or zero): mant * 2^-24, exact in float32
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exp + 127 - 15) << 23) | (mant << 13));
    }
}
