package org.emodir.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DTypeTest {
    /** Reference: the IEEE 754 binary16 definition evaluated in double precision. */
    private static double halfReference(int h) {
        int sign = (h >>> 15) == 0 ? 1 : -1;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) return sign * Math.pow(2, -14) * (mant / 1024.0);
        if (exp == 31) return mant == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        return sign * Math.pow(2, exp - 15) * (1 + mant / 1024.0);
    }

    @Test
    void halfConversionIsExactForEveryBitPattern() {
        for (int h = 0; h < 65536; h++) {
            float got = DType.halfToFloat((short) h);
            double want = halfReference(h);
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(got), "half 0x" + Integer.toHexString(h));
            } else {
                assertEquals(
                        Double.doubleToLongBits(want),
                        Double.doubleToLongBits(got),
                        "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void decodesEachTypeLittleEndian() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(0, -2.5).putDouble(8, 1e-3);
        assertArrayEquals(new float[] {-2.5f, 1e-3f}, DType.F64.decode(b, 2));
        b.clear();
        b.putShort(0, (short) 0x3FC0).putShort(2, (short) 0xC049); // bf16 1.5, -3.140625
        assertArrayEquals(new float[] {1.5f, -3.140625f}, DType.BF16.decode(b, 2));
        b.putLong(0, 12345L).putLong(8, -7L);
        assertArrayEquals(new float[] {12345f, -7f}, DType.I64.decode(b, 2));
        b.putFloat(0, 0.1f).putFloat(4, Float.MIN_VALUE);
        assertArrayEquals(new float[] {0.1f, Float.MIN_VALUE}, DType.F32.decode(b, 2));
        b.putShort(0, (short) 0x3C00).putShort(2, (short) 0x7BFF); // 1.0, 65504 (max half)
        assertArrayEquals(new float[] {1f, 65504f}, DType.F16.decode(b, 2));
    }
}
