package org.emodir.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Hand-assembles pickles and torch zip archives to exercise the reader beyond what our writer emits. */
final class TestPickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TestPickle op(int code) {
        out.write(code);
        return this;
    }

    TestPickle str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c).op(b.length); // SHORT_BINUNICODE
        out.writeBytes(b);
        return this;
    }

    TestPickle global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    TestPickle integer(long v) {
        if (v >= 0 && v < 256) return op('K').op((int) v);
        op(0x8a).op(8);
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)) & 0xFF);
        return this;
    }

    TestPickle tuple(long... values) {
        op('(');
        for (long v : values) integer(v);
        return op('t');
    }

    /** Pushes _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) as torch.save writes it. */
    TestPickle tensor(String storageType, String key, long storageNumel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').str("storage")
                .global("torch", storageType)
                .str(key)
                .str("cpu")
                .integer(storageNumel)
                .op('t')
                .op('Q');
        integer(offset).tuple(size).tuple(stride).op(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }

    TestPickle beginOrderedDict() {
        return op(0x80).op(2)
                .global("collections", "OrderedDict")
                .op(')')
                .op('R')
                .op('(');
    }

    byte[] endOrderedDict() {
        op('u').op('.');
        return out.toByteArray();
    }

    /** The bytes as assembled, for programs that close their own containers. */
    byte[] endOrderedDictRaw() {
        return out.toByteArray();
    }

    static void zip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (OutputStream os = Files.newOutputStream(file)) {
            AlignedZipWriter zip = new AlignedZipWriter(os);
            zip.add("archive/data.pkl", pickle);
            for (var e : storages.entrySet()) zip.add("archive/data/" + e.getKey(), e.getValue());
            zip.add("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        }
    }
}
