package org.emodir.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float32 values as the little-endian bytes both weight formats store. */
final class LittleEndianFloats {
    private LittleEndianFloats() {}

    static byte[] encode(float[] data) {
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(data.length, Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return buf.array();
    }
}
