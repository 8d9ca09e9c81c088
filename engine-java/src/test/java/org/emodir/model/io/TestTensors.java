package org.emodir.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Small state dicts and raw-file builders shared by the weights tests. */
final class TestTensors {
    private TestTensors() {}

    static StateDict small(long seed) {
        Random r = new Random(seed);
        StateDict d = new StateDict();
        d.put(tensor("conv1.weight", r, 4, 3, 3, 3));
        d.put(tensor("bn1.running_var", r, 4));
        d.put(tensor("scalar", r)); // 0-dim: shape [], one value
        d.put(tensor("empty", r, 0, 5)); // zero elements
        d.put(tensor("linear.weight", r, 10, 4));
        d.put(new NamedTensor(
                "special", new long[] {4}, new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE}));
        return d;
    }

    static NamedTensor tensor(String name, Random r, long... shape) {
        float[] data = new float[(int) NamedTensor.numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
        return new NamedTensor(name, shape, data);
    }

    /** Same names in the same order, same shapes, bit-identical floats (NaN payloads included). */
    static void assertSame(StateDict want, StateDict got) {
        assertEquals(want.names(), got.names());
        for (String n : want.names()) {
            NamedTensor a = want.get(n);
            NamedTensor b = got.get(n);
            assertArrayEquals(a.shape(), b.shape(), n);
            assertEquals(a.data().length, b.data().length, n);
            for (int i = 0; i < a.data().length; i++) {
                if (Float.floatToRawIntBits(a.data()[i]) != Float.floatToRawIntBits(b.data()[i])) {
                    fail(n + "[" + i + "]: " + a.data()[i] + " != " + b.data()[i]);
                }
            }
        }
    }

    /** A safetensors file from a literal header and data section. */
    static byte[] safetensors(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length)
                .put(h)
                .put(data)
                .array();
    }
}
