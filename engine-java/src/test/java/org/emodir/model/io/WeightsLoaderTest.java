package org.emodir.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsLoaderTest {
    @TempDir
    Path dir;

    @Test
    void dispatchesOnContentNotExtension() throws IOException {
        StateDict d = TestTensors.small(9);
        Path zipNamedBin = dir.resolve("a.bin");
        Path safetensorsNamedBin = dir.resolve("b.bin");
        TorchCheckpoint.write(zipNamedBin, d);
        SafeTensors.write(safetensorsNamedBin, d, Map.of());
        TestTensors.assertSame(d, WeightsLoader.load(zipNamedBin));
        TestTensors.assertSame(d, WeightsLoader.load(safetensorsNamedBin));
    }

    @Test
    void legacyPickleCheckpointGetsAClearError() throws IOException {
        Path legacy = dir.resolve("old.pth");
        Files.write(
                legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10}); // pre-1.6 torch.save starts with a bare pickle
        WeightsException e = assertThrows(WeightsException.class, () -> WeightsLoader.load(legacy));
        assertTrue(e.getMessage().contains("old.pth") && e.getMessage().contains("legacy"), e.getMessage());
    }
}
