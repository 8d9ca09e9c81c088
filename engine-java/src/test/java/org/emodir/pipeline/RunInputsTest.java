package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.emodir.data.Normalization;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunInputsTest {
    private static Path weights(Path dir, Map<String, String> metadata) throws Exception {
        StateDict d = new StateDict();
        d.put(new NamedTensor("w", new long[] {2}, new float[] {1, 2}));
        Path p = dir.resolve("w.safetensors");
        SafeTensors.write(p, d, metadata);
        return p;
    }

    @Test
    void normalizationComesFromTheWeightsMetadataElseImageNet(@TempDir Path dir) throws Exception {
        Path own = weights(dir, Map.of("normalization_mean", "0.5,0.5,0.5", "normalization_std", "0.25,0.25,0.25"));
        Normalization n = RunInputs.fromWeights(own);
        assertEquals("0.5,0.5,0.5/0.25,0.25,0.25", n.text());
        assertEquals(
                Normalization.IMAGENET.text(),
                RunInputs.fromWeights(weights(dir, Map.of())).text());
    }

    @Test
    void aMalformedMetadataNormalizationNamesTheWeightsFile(@TempDir Path dir) throws Exception {
        Path bad = weights(dir, Map.of("normalization_mean", "0.5,x,0.5", "normalization_std", "0.25,0.25,0.25"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunInputs.fromWeights(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("normalization_mean"), e.getMessage());
    }
}
