package org.emodir.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.eval.EvaluationData;
import org.emodir.program.SubnetProgram;

/**
 * What an executor needs to evaluate a sub-network, as one byte image: the program (Java-serialised) and the raw
 * input, reference and label buffers, each at a 64-byte aligned offset so that an executor evaluates straight out of
 * a memory-mapped copy (nothing is parsed or copied per generation). The buffers keep the driver's native byte order;
 * a cluster mixing byte orders is refused by the header.
 *
 * <pre>
 *  0 int  magic, 4 int byte order (1 little endian), 8 int batch, 12 int unused,
 * 16 long offset, long length of: program, input, reference (length -1: absent), labels (-1: absent)
 * </pre>
 */
final class JobPayload {
    private static final int MAGIC = 0x454d4f4a; // "EMOJ"
    private static final int HEADER = 16 + 4 * 2 * Long.BYTES;
    private static final int ALIGN = 64;

    /** A decoded payload: the evaluation data are views of {@code buffer}, which must stay reachable with them. */
    record Decoded(SubnetProgram program, EvaluationData data, ByteBuffer buffer) {}

    private JobPayload() {}

    /** Bytes {@link #write} produces for this program and data. */
    static long size(byte[] program, EvaluationData data) {
        long[][] s = sections(program, data);
        long end = HEADER;
        for (long[] x : s) if (x[1] > 0) end = x[0] + x[1];
        return end;
    }

    static byte[] serialise(SubnetProgram program) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(b)) {
            o.writeObject(program);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** Writes the payload of a serialised program and its data to {@code out}. */
    static void write(byte[] program, EvaluationData data, OutputStream out) throws IOException {
        long[][] s = sections(program, data);
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        h.putInt(MAGIC).putInt(nativeLittle() ? 1 : 0).putInt(data.batch()).putInt(0);
        for (long[] x : s) h.putLong(x[0]).putLong(x[1]);
        out.write(h.array());
        long at = HEADER;
        at = copy(out, at, s[0], program, null);
        at = copy(out, at, s[1], null, data.input());
        at = copy(out, at, s[2], null, data.reference());
        copy(out, at, s[3], null, data.labels());
    }

    static Decoded read(ByteBuffer b) {
        ByteBuffer h = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (h.getInt(0) != MAGIC) throw new IllegalStateException("not an emodir job payload");
        if ((h.getInt(4) == 1) != nativeLittle()) {
            throw new IllegalStateException("job payload written on a machine of the other byte order");
        }
        int batch = h.getInt(8);
        long[][] s = new long[4][2];
        for (int i = 0; i < 4; i++) {
            s[i][0] = h.getLong(16 + i * 16);
            s[i][1] = h.getLong(24 + i * 16);
        }
        byte[] program = new byte[(int) s[0][1]];
        h.get((int) s[0][0], program);
        SubnetProgram p;
        try (InputStream in = new java.io.ByteArrayInputStream(program);
                ObjectInputStream o = new ObjectInputStream(in)) {
            p = (SubnetProgram) o.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot read the program of a job payload", e);
        }
        EvaluationData data = new EvaluationData(view(b, s[1]), batch, view(b, s[2]), view(b, s[3]));
        return new Decoded(p, data, b);
    }

    private static UnsafeBuffer view(ByteBuffer b, long[] section) {
        return section[1] < 0 ? null : new UnsafeBuffer(b, (int) section[0], (int) section[1]);
    }

    /** {offset, length} of program, input, reference, labels (length -1: absent, offset then unused). */
    private static long[][] sections(byte[] program, EvaluationData data) {
        long[] lengths = {program.length, data.input().capacity(), length(data.reference()), length(data.labels())};
        long[][] s = new long[4][];
        long at = HEADER;
        for (int i = 0; i < 4; i++) {
            at = (at + ALIGN - 1) / ALIGN * ALIGN;
            s[i] = new long[] {lengths[i] < 0 ? 0 : at, lengths[i]};
            if (lengths[i] > 0) at += lengths[i];
        }
        return s;
    }

    private static long length(UnsafeBuffer b) {
        return b == null ? -1 : b.capacity();
    }

    private static long copy(OutputStream out, long at, long[] section, byte[] bytes, UnsafeBuffer from)
            throws IOException {
        if (section[1] < 0) return at;
        out.write(new byte[(int) (section[0] - at)]);
        if (bytes != null) {
            out.write(bytes);
        } else {
            byte[] chunk = new byte[1 << 20];
            for (long i = 0; i < section[1]; i += chunk.length) {
                int n = (int) Math.min(chunk.length, section[1] - i);
                from.getBytes((int) i, chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        return section[0] + section[1];
    }

    private static boolean nativeLittle() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }
}
