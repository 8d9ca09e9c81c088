package org.emodir.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.Precision;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.StreamedParts;
import org.emodir.program.SubnetProgram;

/**
 * What an executor needs to evaluate a sub-network, as one byte image: the program (Java-serialised), the precision
 * and the batch as consecutive parts (the segments of the driver's feature cache), each part's raw input, reference and
 * label buffers at 64-byte aligned offsets so that an executor evaluates straight out of a memory-mapped copy (nothing
 * is parsed or copied per generation). The buffers keep the driver's native byte order; a cluster mixing byte orders
 * is refused by the header.
 *
 * <p>The image is written by one pass over the parts in order ({@link StreamedParts} decode every part into the same
 * reused buffers, so each part is copied out before the next is fetched) through a {@link Target} that can write at
 * a position: the header's offsets are known only once every part has been seen, so a zero header goes first and is
 * written again at the end. No part, and never the whole image, has to sit in one Java buffer, so a payload over 2
 * GiB goes to a file (each section under 2 GiB, mapped one by one where it is read).
 *
 * <pre>
 *  0 int  magic "EMOJ", 4 int format version (2; format 1 had the byte order here), 8 int byte order (1 little
 *         endian), 12 int precision (0 fp32, 1 bf16), 16 int parts, 20 int flags (1 reference, 2 labels),
 * 24 long offset, long length of the program,
 * 40 + 56 * i (part i): int batch, int unused, long offset, long length of input, reference, labels (-1: absent)
 * </pre>
 */
final class JobPayload {
    static final int MAGIC = 0x454d4f4a; // "EMOJ"
    static final int VERSION = 2;
    private static final int FIXED = 40;
    private static final int PER_PART = 8 + 3 * 2 * Long.BYTES;
    private static final int ALIGN = 64;
    private static final int REFERENCE = 1, LABELS = 2;

    /**
     * A decoded payload: the parts are views of {@code buffers} (one direct copy of a broadcast, or the file's mapped
     * sections), which must stay reachable with them.
     */
    record Decoded(SubnetProgram program, Precision precision, List<EvaluationData> parts, List<ByteBuffer> buffers) {}

    /** Where {@link #write} puts the image: appended in order, except the header written again at position 0. */
    interface Target {
        /** Appends all remaining bytes of {@code b}. */
        void write(ByteBuffer b) throws IOException;

        /** Overwrites bytes already written, from {@code position}. */
        void writeAt(long position, ByteBuffer b) throws IOException;
    }

    /** What {@link #write} wrote: the image's bytes, parts and images. */
    record Written(long bytes, int parts, int images) {}

    private JobPayload() {}

    static byte[] serialise(SubnetProgram program) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(b)) {
            o.writeObject(program);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /**
     * Writes the payload of {@code program} on {@code parts} at {@code precision} to {@code out}, iterating the parts
     * once in order. Each part is checked against the program's sizes; parts must agree on having a reference and
     * labels. Exactly {@code batch x size} bytes of every buffer are written.
     */
    static Written write(SubnetProgram program, Precision precision, List<EvaluationData> parts, Target out)
            throws IOException {
        return write(serialise(program), program.inputSize(), program.outputSize(), precision, parts, out);
    }

    static Written write(
            byte[] program, int inputSize, int outputSize, Precision precision, List<EvaluationData> parts, Target out)
            throws IOException {
        int n = parts.size();
        if (n == 0) throw new IllegalArgumentException("evaluation data has no parts");
        long header = align(FIXED + (long) n * PER_PART);
        out.write(ByteBuffer.allocate((int) header));
        long at = header;
        long programAt = at;
        out.write(ByteBuffer.wrap(program));
        at += program.length;
        long[][] sections = new long[n][];
        int[] batches = new int[n];
        int flags = -1;
        long images = 0;
        byte[] chunk = new byte[1 << 20];
        Iterator<EvaluationData> it = parts.iterator(); // one pass, in order: a streamed part dies at the next get
        for (int i = 0; i < n; i++) {
            EvaluationData d = it.next();
            d.requireSizes(inputSize, outputSize);
            int f = (d.reference() != null ? REFERENCE : 0) | (d.labels() != null ? LABELS : 0);
            if (flags >= 0 && f != flags) {
                throw new IllegalArgumentException("evaluation data parts differ in having a reference or labels");
            }
            flags = f;
            batches[i] = d.batch();
            images += d.batch();
            long[] s = new long[6];
            long[] lengths = {
                (long) d.batch() * inputSize * Float.BYTES,
                d.reference() == null ? -1 : (long) d.batch() * outputSize * Float.BYTES,
                d.labels() == null ? -1 : (long) d.batch() * Integer.BYTES
            };
            UnsafeBuffer[] from = {d.input(), d.reference(), d.labels()};
            for (int k = 0; k < 3; k++) {
                if (lengths[k] < 0) {
                    s[2 * k] = 0;
                    s[2 * k + 1] = -1;
                    continue;
                }
                long aligned = align(at);
                if (aligned > at) out.write(ByteBuffer.allocate((int) (aligned - at)));
                at = aligned;
                s[2 * k] = at;
                s[2 * k + 1] = lengths[k];
                for (long j = 0; j < lengths[k]; j += chunk.length) {
                    int m = (int) Math.min(chunk.length, lengths[k] - j);
                    from[k].getBytes((int) j, chunk, 0, m);
                    out.write(ByteBuffer.wrap(chunk, 0, m));
                }
                at += lengths[k];
            }
            sections[i] = s;
        }
        if (images > Integer.MAX_VALUE) throw new IllegalArgumentException(images + " images in one evaluation");
        ByteBuffer h = ByteBuffer.allocate((int) header).order(ByteOrder.BIG_ENDIAN);
        h.putInt(MAGIC).putInt(VERSION).putInt(nativeLittle() ? 1 : 0).putInt(code(precision));
        h.putInt(n).putInt(flags).putLong(programAt).putLong(program.length);
        for (int i = 0; i < n; i++) {
            h.putInt(batches[i]).putInt(0);
            for (long x : sections[i]) h.putLong(x);
        }
        h.rewind();
        out.writeAt(0, h);
        return new Written(at, n, (int) images);
    }

    /** Decodes a payload from a direct, 64-byte aligned copy of {@code bytes} (a broadcast's value). */
    static Decoded read(byte[] bytes) {
        ByteBuffer b = org.agrona.BufferUtil.allocateDirectAligned(Math.max(bytes.length, 1), ALIGN);
        return read(b.put(bytes).flip());
    }

    /** Decodes a payload held in one buffer: the parts are views of {@code b}. */
    static Decoded read(ByteBuffer b) {
        ByteBuffer h = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        Header header = header(h, b.capacity(), "job payload");
        byte[] program = new byte[(int) header.program[1]];
        h.get((int) header.program[0], program);
        List<EvaluationData> parts = new ArrayList<>(header.batches.length);
        for (int i = 0; i < header.batches.length; i++) {
            long[] s = header.sections[i];
            parts.add(new EvaluationData(
                    view(b, s[0], s[1]), header.batches[i], view(b, s[2], s[3]), view(b, s[4], s[5])));
        }
        return new Decoded(program(program), header.precision, List.copyOf(parts), List.of(b));
    }

    /** Decodes a payload file, mapping each section of each part read-only on its own (every one under 2 GiB). */
    static Decoded read(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = c.size();
            ByteBuffer fixed = readFully(c, 0, (int) Math.min(FIXED, size)).order(ByteOrder.BIG_ENDIAN);
            int n = fixed.capacity() >= FIXED ? fixed.getInt(16) : 0;
            long headerBytes = FIXED + (long) Math.max(0, n) * PER_PART;
            ByteBuffer h = headerBytes <= size && headerBytes <= Integer.MAX_VALUE && fixed.capacity() >= FIXED
                    ? readFully(c, 0, (int) headerBytes).order(ByteOrder.BIG_ENDIAN)
                    : fixed;
            Header header = header(h, size, "job payload " + file);
            byte[] program = new byte[(int) header.program[1]];
            readFully(c, header.program[0], program.length).get(program);
            List<EvaluationData> parts = new ArrayList<>(header.batches.length);
            List<ByteBuffer> maps = new ArrayList<>();
            for (int i = 0; i < header.batches.length; i++) {
                long[] s = header.sections[i];
                parts.add(new EvaluationData(
                        map(c, s[0], s[1], maps),
                        header.batches[i],
                        map(c, s[2], s[3], maps),
                        map(c, s[4], s[5], maps)));
            }
            return new Decoded(program(program), header.precision, List.copyOf(parts), List.copyOf(maps));
        }
    }

    private record Header(Precision precision, long[] program, int[] batches, long[][] sections) {}

    /** The header of an image of {@code size} bytes whose first bytes {@code h} holds; every offset checked. */
    private static Header header(ByteBuffer h, long size, String what) {
        if (h.capacity() < 8 || h.getInt(0) != MAGIC) {
            throw new IllegalStateException(what + " is not an emodir job payload (no EMOJ magic)");
        }
        int version = h.getInt(4);
        if (version != VERSION) {
            throw new IllegalStateException(what + " has format " + (version == 0 || version == 1 ? 1 : version)
                    + ", this emodir reads format " + VERSION + " (multi-part): the driver and the executors run"
                    + " different emodir versions; put the same emodir-spark jar on both class paths");
        }
        if (h.capacity() < FIXED) throw new IllegalStateException(what + " is truncated (" + size + " bytes)");
        if ((h.getInt(8) == 1) != nativeLittle()) {
            throw new IllegalStateException(what + " was written on a machine of the other byte order");
        }
        Precision precision = precision(h.getInt(12), what);
        int n = h.getInt(16);
        if (n <= 0 || h.capacity() < FIXED + (long) n * PER_PART) {
            throw new IllegalStateException(what + " is truncated or corrupt (" + n + " parts, " + size + " bytes)");
        }
        int flags = h.getInt(20);
        long[] program = {h.getLong(24), h.getLong(32)};
        check(program[0], program[1], size, false, what, "program");
        int[] batches = new int[n];
        long[][] sections = new long[n][6];
        for (int i = 0; i < n; i++) {
            int at = FIXED + i * PER_PART;
            batches[i] = h.getInt(at);
            if (batches[i] <= 0) throw new IllegalStateException(what + ": part " + i + " has batch " + batches[i]);
            for (int k = 0; k < 6; k++) sections[i][k] = h.getLong(at + 8 + k * Long.BYTES);
            check(sections[i][0], sections[i][1], size, false, what, "part " + i + " input");
            check(sections[i][2], sections[i][3], size, (flags & REFERENCE) == 0, what, "part " + i + " reference");
            check(sections[i][4], sections[i][5], size, (flags & LABELS) == 0, what, "part " + i + " labels");
        }
        return new Header(precision, program, batches, sections);
    }

    private static void check(long offset, long length, long size, boolean absent, String what, String section) {
        if (absent
                ? length == -1
                : length >= 0 && length <= Integer.MAX_VALUE && offset >= 0 && offset <= size - length) {
            return;
        }
        throw new IllegalStateException(what + " is truncated or corrupt: " + section + " at " + offset + ", " + length
                + " bytes, in " + size + " bytes");
    }

    private static SubnetProgram program(byte[] bytes) {
        try (InputStream in = new ByteArrayInputStream(bytes);
                ObjectInputStream o = new ObjectInputStream(in)) {
            return (SubnetProgram) o.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalStateException("cannot read the program of a job payload", e);
        }
    }

    private static UnsafeBuffer view(ByteBuffer b, long offset, long length) {
        return length < 0 ? null : new UnsafeBuffer(b, (int) offset, (int) length);
    }

    private static UnsafeBuffer map(FileChannel c, long offset, long length, List<ByteBuffer> maps) throws IOException {
        if (length < 0) return null;
        // A zero-length mapping has no address UnsafeBuffer can wrap; no section is empty (batch > 0), but be safe.
        ByteBuffer m = length == 0
                ? ByteBuffer.allocateDirect(0)
                : c.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.nativeOrder());
        maps.add(m);
        return new UnsafeBuffer(m, 0, (int) length);
    }

    private static ByteBuffer readFully(FileChannel c, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int r = c.read(b, at + b.position());
            if (r < 0) throw new IOException("job payload ends at " + (at + b.position()) + " bytes");
        }
        return b.flip();
    }

    private static int code(Precision p) {
        return switch (p) {
            case FP32 -> 0;
            case BF16 -> 1;
        };
    }

    private static Precision precision(int code, String what) {
        return switch (code) {
            case 0 -> Precision.FP32;
            case 1 -> Precision.BF16;
            default -> throw new IllegalStateException(what + " has an unknown precision code " + code);
        };
    }

    static long align(long at) {
        return (at + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static boolean nativeLittle() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }
}
