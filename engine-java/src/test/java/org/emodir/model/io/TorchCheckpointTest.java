package org.emodir.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void roundTripIsBitExact() throws IOException {
        StateDict d = TestTensors.small(3);
        Path f = dir.resolve("pruned model.pt");
        TorchCheckpoint.write(f, d);
        TestTensors.assertSame(d, TorchCheckpoint.read(f));
    }

    /** The layout torch.load expects: one top folder, data.pkl, data/<key> storages, version; stored, 64-byte aligned. */
    @Test
    void writesTorchSaveZipLayout() throws IOException {
        StateDict d = TestTensors.small(4);
        Path f = dir.resolve("net.pt");
        TorchCheckpoint.write(f, d);
        byte[] zip = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        List<String> names = new ArrayList<>();
        int at = 0;
        while (b.getInt(at) == 0x04034b50) { // local file headers, in file order
            assertEquals(0, b.getShort(at + 8), "compression method must be STORED");
            int size = b.getInt(at + 18);
            int nameLen = b.getShort(at + 26) & 0xFFFF;
            int extraLen = b.getShort(at + 28) & 0xFFFF;
            String name = new String(zip, at + 30, nameLen, StandardCharsets.UTF_8);
            int data = at + 30 + nameLen + extraLen;
            assertEquals(0, data % AlignedZipWriter.ALIGNMENT, name + " data offset " + data);
            names.add(name);
            if (name.endsWith("/version")) assertEquals("3\n", new String(zip, data, size, StandardCharsets.US_ASCII));
            at = data + size;
        }
        List<String> expected = new ArrayList<>(List.of("net/data.pkl", "net/byteorder"));
        for (int i = 0; i < d.size(); i++) expected.add("net/data/" + i);
        expected.add("net/version");
        assertEquals(expected, names);
    }

    @Test
    void refusesGlobalsOutsideTheAllowList() throws IOException {
        Path f = dir.resolve("evil.pt");
        byte[] pickle = new TestPickle()
                .op(0x80)
                .op(2)
                .global("os", "system")
                .str("echo pwned")
                .op(0x85)
                .op('R')
                .op('.')
                .endOrderedDictRaw();
        TestPickle.zip(f, pickle, Map.of());
        WeightsException e = assertThrows(WeightsException.class, () -> TorchCheckpoint.read(f));
        assertTrue(
                e.getMessage().contains("refusing to execute code from checkpoint: global os.system"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void readsViewsIntoSharedStoragesLegacyWrapperAndLongBuffers() throws IOException {
        float[] storage = {0, 1, 2, 3, 4, 5, 6, 7};
        TestPickle p = new TestPickle()
                .op(0x80)
                .op(2)
                .op('}')
                .op('(')
                .str("state_dict")
                .global("collections", "OrderedDict")
                .op(')')
                .op('R')
                .op('(');
        p.str("module.a").tensor("FloatStorage", "0", 8, 2, new long[] {2, 2}, new long[] {2, 1});
        p.str("module.b").tensor("FloatStorage", "0", 8, 0, new long[] {2}, new long[] {1});
        p.str("bn.num_batches_tracked").tensor("LongStorage", "1", 1, 0, new long[0], new long[0]);
        p.op('u').str("epoch").integer(90);
        byte[] pickle = p.op('u').op('.').endOrderedDictRaw(); // closes the outer {"state_dict": ..., "epoch": 90}
        Path f = dir.resolve("wrapped.pt");
        ByteBuffer counter =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 12345);
        TestPickle.zip(f, pickle, Map.of("0", LittleEndianFloats.encode(storage), "1", counter.array()));
        StateDict d = TorchCheckpoint.read(f);
        assertEquals(List.of("a", "b", "bn.num_batches_tracked"), d.names());
        assertArrayEquals(new float[] {2, 3, 4, 5}, d.require("a", 2, 2).data());
        assertArrayEquals(new float[] {0, 1}, d.require("b", 2).data());
        assertArrayEquals(
                new float[] {12345}, d.require("bn.num_batches_tracked").data());
    }

    @Test
    void rejectsNonContiguousOutOfRangeAndMissingStorages() throws IOException {
        float[] storage = new float[6];
        Map<String, byte[]> storages = Map.of("0", LittleEndianFloats.encode(storage));
        expectError(new long[] {2, 3}, new long[] {1, 2}, 0, 6, storages, "not contiguous");
        expectError(new long[] {2, 3}, new long[] {3, 1}, 1, 6, storages, "runs past its storage");
        expectError(new long[] {2, 3}, new long[] {3, 1}, 0, 6, Map.of(), "data/0 is missing");
        expectError(new long[] {2, 3}, new long[] {3, 1}, 0, 7, storages, "needs 28");
    }

    private void expectError(
            long[] size, long[] stride, long offset, long storageNumel, Map<String, byte[]> storages, String part)
            throws IOException {
        byte[] pickle = new TestPickle()
                .beginOrderedDict()
                .str("layer.weight")
                .tensor("FloatStorage", "0", storageNumel, offset, size, stride)
                .endOrderedDict();
        Path f = dir.resolve("bad.pt");
        TestPickle.zip(f, pickle, storages);
        WeightsException e = assertThrows(WeightsException.class, () -> TorchCheckpoint.read(f));
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains("bad.pt"), e.getMessage());
        if (!part.contains("data/0")) assertTrue(e.getMessage().contains("'layer.weight'"), e.getMessage());
    }

    @Test
    void truncatedAndCorruptedCheckpointsFailWithWeightsException() throws IOException {
        Path valid = dir.resolve("valid.pt");
        TorchCheckpoint.write(valid, TestTensors.small(5));
        byte[] good = Files.readAllBytes(valid);
        Random r = new Random(42);
        int rejected = 0;
        int cases = 1000;
        for (int i = 0; i < cases; i++) {
            byte[] bad;
            if (i % 3 == 0) {
                bad = Arrays.copyOf(good, r.nextInt(good.length));
            } else {
                bad = good.clone();
                int pickleEnd = 64 + 1200; // most structure lives in data.pkl, near the start
                for (int k = 0; k < 1 + r.nextInt(3); k++)
                    bad[r.nextBoolean() ? r.nextInt(pickleEnd) : r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
            }
            Path f = dir.resolve("fuzz.pt");
            Files.write(f, bad);
            try {
                TorchCheckpoint.read(f);
            } catch (WeightsException e) {
                rejected++;
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            } catch (Exception | Error e) {
                throw new AssertionError("case " + i + ": " + e + " is not a WeightsException", e);
            }
        }
        assertTrue(rejected > cases / 3, "only " + rejected + " of " + cases + " corruptions were rejected");
    }

    @Test
    void unpicklerErrorsAreWeightsExceptions() {
        byte[][] programs = {
            {(byte) 0x80, 2, '.'}, // STOP on an empty stack
            {'h', 9, '.'}, // memo key never stored
            {'X', (byte) 0xFF, (byte) 0xFF, 0, 0}, // string longer than the pickle
            {'t', '.'}, // TUPLE without MARK
            {'i', 'o', 's', '\n'}, // INST: not supported
            {(byte) 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // integer wider than 64 bits
        };
        for (byte[] p : programs) {
            WeightsException e = assertThrows(
                    WeightsException.class,
                    () -> RestrictedUnpickler.load(p, "test.pkl", pid -> pid),
                    Arrays.toString(p));
            assertTrue(e.getMessage().startsWith("test.pkl: "), e.getMessage());
        }
    }

    @Test
    void refusesContainerDictKeysAndDuplicateNames() throws IOException {
        // {d: None} where d is the dict itself: hashing such a key would never terminate.
        byte[] selfKey = {'}', 'q', 0, 'h', 0, 'N', 's', '.'};
        WeightsException e =
                assertThrows(WeightsException.class, () -> RestrictedUnpickler.load(selfKey, "t", pid -> pid));
        assertTrue(e.getMessage().contains("dict key of type LinkedHashMap"), e.getMessage());

        TestPickle p = new TestPickle().beginOrderedDict();
        p.str("module.w").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        p.str("w").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        Path f = dir.resolve("dup.pt");
        TestPickle.zip(f, p.endOrderedDict(), Map.of("0", new byte[4]));
        e = assertThrows(WeightsException.class, () -> TorchCheckpoint.read(f));
        assertTrue(e.getMessage().contains("dup.pt: tensor 'w' duplicates tensor 'w'"), e.getMessage());
    }

    @Test
    void longIntegersDecodeSignAndMagnitude() {
        assertEquals(-1L, RestrictedUnpickler.load(new byte[] {(byte) 0x8a, 1, (byte) 0xFF, '.'}, "t", pid -> pid));
        assertEquals(0x1234L, RestrictedUnpickler.load(new byte[] {(byte) 0x8a, 2, 0x34, 0x12, '.'}, "t", pid -> pid));
        assertEquals(
                Long.MIN_VALUE,
                RestrictedUnpickler.load(
                        new byte[] {(byte) 0x8a, 8, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, '.'}, "t", pid -> pid));
        Map<Object, Object> expected = new LinkedHashMap<>();
        expected.put("k", 300L);
        assertEquals(
                expected,
                RestrictedUnpickler.load(
                        new byte[] {'}', 'q', 0, (byte) 0x8c, 1, 'k', 'M', 44, 1, 's', '.'}, "t", pid -> pid));
    }
}
