package org.emodir.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.TorchCheckpoint;
import org.emodir.model.io.WeightsLoader;
import org.emodir.testdata.SharedFixtures;
import org.emodir.train.TrainFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExportTest {
    @Test
    void everyFormatReadsBackAsTheSameWeights(@TempDir Path dir) throws Exception {
        NetSpec dense = NetSpec.dense("resnet20", 10);
        PrunedModel m = PrunedModel.fromMasks(
                dense,
                SharedFixtures.weights(SharedFixtures.RESNET20),
                dense.prunableGroups(),
                TrainFixtures.randomMasks(dense, 3));
        m.save(dir);
        ModelExport.writeAll(m, dir);
        StateDict pt = TorchCheckpoint.read(dir.resolve(ModelExport.PT_FILE));
        StateDict loaded = WeightsLoader.load(dir.resolve(ModelExport.PT_FILE));
        assertEquals(m.weights().names(), pt.names());
        for (String k : m.weights().names()) {
            assertArrayEquals(m.weights().get(k).data(), pt.get(k).data(), k);
            assertArrayEquals(m.weights().get(k).shape(), pt.get(k).shape(), k);
            assertArrayEquals(m.weights().get(k).data(), loaded.get(k).data(), k);
        }
        // The pruned model rebuilt from architecture.json + model.pt is the saved one.
        PrunedModel again = PrunedModel.loadArchitecture(
                dir.resolve(PrunedModel.ARCHITECTURE_FILE), dir.resolve(ModelExport.PT_FILE));
        assertEquals(m.spec().channelConfig(), again.spec().channelConfig());
        byte[] onnx = Files.readAllBytes(dir.resolve(ModelExport.ONNX_FILE));
        assertTrue(onnx.length > 4 * m.flops().totalParams(), "ONNX carries every weight: " + onnx.length + " bytes");
        assertArrayEquals(onnx, OnnxExporter.toBytes(m.spec(), m.weights(), 32, 32), "deterministic");
    }
}
