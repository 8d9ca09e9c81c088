package org.emodir.model.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Emits the pickle (protocol 2) that torch.save produces for an OrderedDict of float32 tensors:
 * each value is {@code _rebuild_tensor_v2(persistent storage, 0, size, stride, False, OrderedDict())}
 * and storage {@code i} is the zip record {@code data/i}.
 */
final class TorchPickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private TorchPickleWriter() {}

    static byte[] stateDict(StateDict dict) {
        TorchPickleWriter w = new TorchPickleWriter();
        w.op(0x80).op(2); // PROTO 2
        w.global("collections", "OrderedDict").op(')').op('R');
        w.op('(');
        int key = 0;
        for (var e : dict.asMap().entrySet()) {
            long[] shape = e.getValue().shape();
            w.string(e.getKey());
            w.global("torch._utils", "_rebuild_tensor_v2");
            w.op('(');
            w.op('(')
                    .string("storage")
                    .global("torch", DType.F32.torchStorage)
                    .string(Integer.toString(key++))
                    .string("cpu")
                    .integer(e.getValue().data().length)
                    .op('t')
                    .op('Q'); // BINPERSID
            w.integer(0); // storage offset
            w.tuple(shape).tuple(rowMajorStrides(shape));
            w.op(0x89); // requires_grad = False
            w.global("collections", "OrderedDict").op(')').op('R'); // backward hooks
            w.op('t').op('R');
        }
        w.op('u').op('.'); // SETITEMS, STOP
        return w.out.toByteArray();
    }

    static long[] rowMajorStrides(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        return stride;
    }

    private TorchPickleWriter op(int code) {
        out.write(code);
        return this;
    }

    private TorchPickleWriter global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    private TorchPickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        int32(b.length);
        out.writeBytes(b);
        return this;
    }

    private TorchPickleWriter integer(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            int32((int) v);
        } else {
            op(0x8a).op(8); // LONG1 with 8 little-endian bytes
            for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    private TorchPickleWriter tuple(long[] values) {
        op('(');
        for (long v : values) integer(v);
        return op('t');
    }

    private void int32(int v) {
        for (int i = 0; i < 4; i++) out.write((v >>> (8 * i)) & 0xFF);
    }
}
