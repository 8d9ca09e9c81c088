package org.emodir.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.Precision;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.StreamedParts;
import org.emodir.program.SubnetProgram;
import org.emodir.program.SubnetProgramBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-part job payload without Spark: written by one in-order pass over streamed parts, read back from memory
 * (a broadcast) and from a file (each section mapped on its own) with every byte, batch and the precision intact, and
 * an old-format or foreign file refused with a message that says so.
 */
class JobPayloadTest {
    static final int IN_C = 3, SIZE = 4, OUT_C = 5;

    final SubnetProgram program = program(new Random(3));

    @Test
    void streamedPartsRoundTripThroughMemoryAndAFile(@TempDir Path dir) throws IOException {
        int[] sizes = {5, 5, 3};
        Reused parts = new Reused(sizes, true, true);
        Path file = dir.resolve("p.payload");
        JobPayload.Written written;
        try (SpillTarget out = new SpillTarget(0, file)) {
            written = JobPayload.write(program, Precision.BF16, parts, out);
            assertTrue(out.spilled(), "over the limit: a file");
            out.keep();
        }
        assertEquals(List.of(0, 1, 2), parts.reads, "one pass over the parts, in order");
        assertEquals(new JobPayload.Written(Files.size(file), 3, 13), written);
        SpillTarget memory = new SpillTarget(Long.MAX_VALUE, dir.resolve("unused"));
        JobPayload.write(program, Precision.BF16, new Reused(sizes, true, true), memory);
        assertFalse(memory.spilled());
        assertArrayEquals(Files.readAllBytes(file), memory.bytes(), "the same image in memory and in the file");
        assertFalse(Files.exists(dir.resolve("unused")));

        byte[] b = memory.bytes();
        for (JobPayload.Decoded d : List.of(JobPayload.read(b), JobPayload.read(file))) {
            assertEquals(Precision.BF16, d.precision());
            assertArrayEquals(JobPayload.serialise(program), JobPayload.serialise(d.program()));
            assertEquals(3, d.parts().size());
            for (int i = 0; i < 3; i++) {
                EvaluationData got = d.parts().get(i), want = parts.copy(i);
                assertEquals(sizes[i], got.batch());
                assertBytes(want.input(), got.input(), "input " + i);
                assertBytes(want.reference(), got.reference(), "reference " + i);
                assertBytes(want.labels(), got.labels(), "labels " + i);
                assertEquals(0, got.input().addressOffset() % 64, "64-byte aligned sections");
                assertEquals(0, got.reference().addressOffset() % 64);
            }
        }
    }

    @Test
    void absentReferenceAndLabelsStayAbsentAndFp32IsKept(@TempDir Path dir) throws IOException {
        SpillTarget memory = new SpillTarget(Long.MAX_VALUE, dir.resolve("unused"));
        JobPayload.write(program, Precision.FP32, new Reused(new int[] {7}, false, false).copies(), memory);
        byte[] b = memory.bytes();
        JobPayload.Decoded d =
                JobPayload.read(ByteBuffer.allocateDirect(b.length).put(b).flip());
        assertEquals(Precision.FP32, d.precision());
        assertEquals(1, d.parts().size());
        assertEquals(7, d.parts().get(0).batch());
        assertNull(d.parts().get(0).reference());
        assertNull(d.parts().get(0).labels());
    }

    @Test
    void partsThatDisagreeOnLabelsOrSizesAreRefused(@TempDir Path dir) {
        List<EvaluationData> mixed = new ArrayList<>(new Reused(new int[] {2}, true, true).copies());
        mixed.addAll(new Reused(new int[] {2}, true, false).copies());
        SpillTarget memory = new SpillTarget(Long.MAX_VALUE, dir.resolve("unused"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> JobPayload.write(program, Precision.FP32, mixed, memory));
        assertTrue(e.getMessage().contains("differ in having a reference or labels"), e.getMessage());
        EvaluationData small = EvaluationData.of(new float[3], 2, null, null);
        e = assertThrows(
                IllegalArgumentException.class,
                () -> JobPayload.write(program, Precision.FP32, List.of(small), memory));
        assertTrue(e.getMessage().contains("input buffer holds 12 bytes"), e.getMessage());
    }

    @Test
    void aBadMagicAnOldFormatAndATruncatedFileFailClearly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.payload");
        try (SpillTarget out = new SpillTarget(0, file)) {
            JobPayload.write(program, Precision.FP32, new Reused(new int[] {4, 4}, true, false), out);
            out.keep();
        }
        byte[] good = Files.readAllBytes(file);

        Path foreign = dir.resolve("foreign");
        Files.write(foreign, "PK\3\4 not a payload at all, long enough for a header......".getBytes());
        assertMessage(foreign, "is not an emodir job payload");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertMessage(empty, "is not an emodir job payload");

        // Format 1 (before multi-part payloads): magic, byte order 1, batch, unused, then 4 x (offset, length).
        ByteBuffer old = ByteBuffer.allocate(256).order(ByteOrder.BIG_ENDIAN);
        old.putInt(JobPayload.MAGIC).putInt(1).putInt(8).putInt(0);
        old.putLong(128)
                .putLong(16)
                .putLong(192)
                .putLong(32)
                .putLong(0)
                .putLong(-1)
                .putLong(0)
                .putLong(-1);
        Path v1 = Files.write(dir.resolve("v1"), old.array());
        assertMessage(v1, "has format 1, this emodir reads format 2");
        IllegalStateException inMemory = assertThrows(
                IllegalStateException.class,
                () -> JobPayload.read(
                        ByteBuffer.allocateDirect(256).put(old.array()).flip()));
        assertTrue(inMemory.getMessage().contains("has format 1"), inMemory.getMessage());

        Path truncated = Files.write(dir.resolve("truncated"), java.util.Arrays.copyOf(good, good.length - 10));
        assertMessage(truncated, "is truncated or corrupt");
        byte[] badPrecision = good.clone();
        ByteBuffer.wrap(badPrecision).putInt(12, 7);
        assertMessage(Files.write(dir.resolve("precision"), badPrecision), "unknown precision code 7");

        JobPayload.Decoded d = JobPayload.read(file);
        assertEquals(2, d.parts().size(), "the intact file reads");
    }

    /**
     * A payload file over 2 GiB (three parts of 800 MiB of input, the same buffer each time) is written and read back
     * section by section, the last part's sections past the 2 GiB mark. Writes 2.4 GB: on demand only,
     * {@code -Demodir.spark.bigPayload=true}.
     */
    @Test
    void aPayloadFileOver2GiBReadsBackSectionBySection(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Boolean.getBoolean("emodir.spark.bigPayload"), "-Demodir.spark.bigPayload=true runs it");
        int perImage = program.inputSize() * Float.BYTES;
        int batch = (800 << 20) / perImage;
        UnsafeBuffer input = new UnsafeBuffer(org.agrona.BufferUtil.allocateDirectAligned(batch * perImage, 64));
        input.putLong(0, 0x0123456789abcdefL);
        input.putLong(batch * perImage - 8, 0x0fedcba987654321L);
        int[] labels = new int[batch];
        labels[batch - 1] = 9;
        EvaluationData part = new EvaluationData(input, batch, null, EvaluationData.ints(labels));
        Path file = dir.resolve("big.payload");
        try (SpillTarget out = new SpillTarget(64 << 20, file)) { // spills during the first part
            JobPayload.Written w = JobPayload.write(program, Precision.FP32, List.of(part, part, part), out);
            assertTrue(out.spilled(), "over the broadcast limit: a file");
            assertTrue(w.bytes() > 3L * batch * perImage, w.toString());
            out.keep();
        }
        assertTrue(Files.size(file) > (2L << 30), "over 2 GiB: " + Files.size(file));
        JobPayload.Decoded d = JobPayload.read(file);
        assertEquals(3, d.parts().size());
        for (EvaluationData got : d.parts()) {
            assertEquals(batch, got.batch());
            assertEquals(0x0123456789abcdefL, got.input().getLong(0));
            assertEquals(0x0fedcba987654321L, got.input().getLong(batch * perImage - 8));
            assertEquals(9, got.labels().getInt((batch - 1) * Integer.BYTES));
        }
    }

    private static void assertMessage(Path file, String expected) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JobPayload.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertBytes(UnsafeBuffer want, UnsafeBuffer got, String what) {
        assertEquals(want.capacity(), got.capacity(), what);
        byte[] a = new byte[want.capacity()], b = new byte[got.capacity()];
        want.getBytes(0, a);
        got.getBytes(0, b);
        assertArrayEquals(a, b, what);
    }

    /** One prunable conv, IN_C x SIZE x SIZE in, OUT_C x SIZE x SIZE out. */
    static SubnetProgram program(Random r) {
        SubnetProgramBuilder b = new SubnetProgramBuilder(IN_C, SIZE, SIZE);
        float[] w = new float[OUT_C * IN_C * 9], bias = new float[OUT_C];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        return b.build(b.relu(b.conv("conv", b.input(), w, bias, OUT_C, 3, 1, 1, true)));
    }

    /** Random parts decoded on every get into the same reused buffers (like bf16 features); records the reads. */
    final class Reused extends StreamedParts {
        final int[] sizes;
        final boolean reference, labels;
        final List<Integer> reads = new ArrayList<>();
        final List<EvaluationData> fixed = new ArrayList<>();
        final UnsafeBuffer input, output;

        /** The same sizes and flags give the same values. */
        Reused(int[] sizes, boolean reference, boolean labels) {
            Random random = new Random(4);
            this.sizes = sizes;
            this.reference = reference;
            this.labels = labels;
            for (int n : sizes) {
                float[] in = new float[n * program.inputSize()], out = new float[n * program.outputSize()];
                int[] l = new int[n];
                for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
                for (int i = 0; i < out.length; i++) out[i] = (float) random.nextGaussian();
                for (int i = 0; i < n; i++) l[i] = random.nextInt(10);
                fixed.add(EvaluationData.of(in, n, reference ? out : null, labels ? l : null));
            }
            int largest = java.util.Arrays.stream(sizes).max().orElseThrow();
            input = EvaluationData.floats(new float[largest * program.inputSize()]);
            output = EvaluationData.floats(new float[largest * program.outputSize()]);
        }

        @Override
        public EvaluationData get(int s) {
            assertTrue(reads.isEmpty() || reads.get(reads.size() - 1) == s - 1, "parts read in order");
            reads.add(s);
            EvaluationData d = fixed.get(s);
            input.putBytes(0, d.input(), 0, d.input().capacity());
            if (reference) output.putBytes(0, d.reference(), 0, d.reference().capacity());
            // Oversized reused buffers: the payload holds batch x size bytes of each.
            return new EvaluationData(input, d.batch(), reference ? output : null, d.labels());
        }

        @Override
        public int size() {
            return sizes.length;
        }

        EvaluationData copy(int s) {
            return fixed.get(s);
        }

        List<EvaluationData> copies() {
            return List.copyOf(fixed);
        }
    }
}
