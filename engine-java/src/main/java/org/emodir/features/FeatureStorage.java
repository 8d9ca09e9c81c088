package org.emodir.features;

import java.util.Locale;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * How cached features are stored: float32, or bfloat16 (the top half of a float32, rounded to nearest even) at half the
 * memory and disk. bfloat16 keeps float32's range, so activations never overflow; fp16 would keep 3 more mantissa bits
 * but overflows above 65504 and Java 17 has no conversion for it. Readers always get float32 back.
 */
public enum FeatureStorage {
    FP32(0, Float.BYTES),
    BF16(1, Short.BYTES);

    private final int code;
    private final int bytes;

    FeatureStorage(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The dtype code in a feature file's header. */
    int code() {
        return code;
    }

    /** Bytes one stored value takes. */
    public int bytes() {
        return bytes;
    }

    /** "fp32" or "bf16" (any case). */
    public static FeatureStorage parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fp32" -> FP32;
            case "bf16" -> BF16;
            default -> throw new IllegalArgumentException("feature storage must be fp32 or bf16, got '" + s + "'");
        };
    }

    static FeatureStorage ofCode(int code) {
        for (FeatureStorage s : values()) if (s.code == code) return s;
        return null;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** bfloat16 bits of {@code f}, rounded to nearest even (NaN stays a quiet NaN). */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float fromBf16(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    void put(UnsafeBuffer dst, long index, float value) {
        if (this == FP32) dst.putFloat((int) (index * Float.BYTES), value);
        else dst.putShort((int) (index * Short.BYTES), toBf16(value));
    }

    float get(UnsafeBuffer src, long index) {
        return this == FP32
                ? src.getFloat((int) (index * Float.BYTES))
                : fromBf16(src.getShort((int) (index * Short.BYTES)));
    }

    /** Decodes {@code count} values of {@code src} from value {@code from} into float32 {@code dst} from value 0. */
    void decode(UnsafeBuffer src, long from, int count, UnsafeBuffer dst) {
        if (this == FP32) {
            dst.putBytes(0, src, (int) (from * Float.BYTES), count * Float.BYTES);
            return;
        }
        int at = (int) (from * Short.BYTES);
        for (int i = 0; i < count; i++) dst.putFloat(i * Float.BYTES, fromBf16(src.getShort(at + i * Short.BYTES)));
    }
}
