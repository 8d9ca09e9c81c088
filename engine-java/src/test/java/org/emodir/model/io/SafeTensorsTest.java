package org.emodir.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripIsBitExactAndHeaderIsAligned() throws IOException {
        StateDict d = TestTensors.small(1);
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, d, Map.of("format", "pt"));
        TestTensors.assertSame(d, SafeTensors.read(f));
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertEquals(0, headerLen % 8, "data section must start 8-byte aligned");
        assertTrue(Files.readString(f.resolveSibling("w.safetensors"), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("\"__metadata__\":{\"format\":\"pt\"}"));
    }

    @Test
    void convertsOtherFloatTypesToFloat32() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0xC200).putShort((short) 0x4049).putDouble(0.1);
        Path f = write(
                "conv.safetensors",
                TestTensors.safetensors(
                        "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]},"
                                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[4,12]}}",
                        data.array()));
        StateDict d = SafeTensors.read(f);
        assertEquals(-3.0f, d.get("h").data()[0]);
        assertEquals(3.140625f, d.get("b").data()[0]);
        assertEquals(0.1f, d.get("d").data()[0]);
        assertArrayEquals(new long[0], d.get("d").shape());
    }

    @Test
    void rejectsForgedHeaderLengths() throws IOException {
        byte[] good = TestTensors.safetensors(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        for (long forged :
                new long[] {Long.MAX_VALUE, -1, 1L << 40, SafeTensors.MAX_HEADER_BYTES + 1, good.length, 0, 1}) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(0, forged);
            WeightsException e =
                    assertThrows(WeightsException.class, () -> SafeTensors.read(write("forged.safetensors", bad)));
            assertTrue(
                    e.getMessage().contains("forged.safetensors")
                            && e.getMessage().contains("header length"),
                    e.getMessage());
        }
        assertThrows(WeightsException.class, () -> SafeTensors.read(write("short.safetensors", new byte[5])));
    }

    @Test
    void errorsNameTheFileTheTensorAndTheProblem() throws IOException {
        expectError("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "'a'", "needs 8 bytes");
        expectError("{\"a\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4, "'a'", "I8");
        expectError(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}",
                8,
                "'b'",
                "overlap");
        expectError(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                12,
                "'b'",
                "hole");
        expectError(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9, "cover 4 data bytes", "holds 9");
        expectError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 2, "'a'", "holds 2");
        expectError("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "'a'", "shape");
        expectError(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
                4,
                "'a'",
                "overflows");
        expectError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "'a'", "end before");
        expectError(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{}}",
                4,
                "malformed",
                "Duplicate");
        expectError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],", 4, "malformed", "JSON");
        expectError("[1,2]", 0, "not a JSON object", "");
        expectError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x", 4, "malformed", "'x'");
        expectError(
                "{\"module.a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                8,
                "'a'",
                "duplicates tensor 'a'");
    }

    private void expectError(String json, int dataBytes, String part1, String part2) throws IOException {
        Path f = write("bad.safetensors", TestTensors.safetensors(json, new byte[dataBytes]));
        WeightsException e = assertThrows(WeightsException.class, () -> SafeTensors.read(f), json);
        String m = e.getMessage();
        assertTrue(
                m.contains(f.toString()) && m.contains(part1) && m.contains(part2), "message for " + json + ": " + m);
    }

    /** Random corruptions of a valid file: the reader may only answer with a WeightsException. */
    @Test
    void fuzzedFilesFailOnlyWithWeightsException() throws IOException {
        Path valid = dir.resolve("valid.safetensors");
        SafeTensors.write(valid, TestTensors.small(7), Map.of("k", "v"));
        byte[] good = Files.readAllBytes(valid);
        Random r = new Random(2303_16212L);
        int rejected = 0;
        int cases = 2000;
        for (int i = 0; i < cases; i++) {
            byte[] bad = mutate(good, r);
            Path f = write("fuzz.safetensors", bad);
            try {
                SafeTensors.read(f);
            } catch (WeightsException e) {
                rejected++;
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            } catch (RuntimeException | Error e) {
                throw new AssertionError("case " + i + ": " + e + " is not a WeightsException", e);
            }
        }
        // Flips inside float data are undetectable by design; most header damage must be caught.
        assertTrue(rejected > cases / 3, "only " + rejected + " of " + cases + " corruptions were rejected");
    }

    private static byte[] mutate(byte[] good, Random r) {
        byte[] b = good.clone();
        switch (r.nextInt(4)) {
            case 0 -> { // flip bytes, biased towards the header where structure lives
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int at = r.nextBoolean() ? r.nextInt(Math.min(b.length, 600)) : r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length)); // truncate
            case 2 ->
                ByteBuffer.wrap(b)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, r.nextBoolean() ? r.nextLong() : r.nextInt(b.length * 2));
            default -> { // overwrite a header byte with a JSON-significant character
                byte[] syntax = "{}[]\",:0123456789-e ".getBytes();
                b[8 + r.nextInt(Math.min(b.length - 8, 500))] = syntax[r.nextInt(syntax.length)];
            }
        }
        return b;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }
}
