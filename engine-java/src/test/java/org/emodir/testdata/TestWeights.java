package org.emodir.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;

/** TEST-ONLY float32 safetensors reader; the io branch's real reader replaces it after the merge. */
public final class TestWeights {
    private TestWeights() {}

    public static StateDict read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalStateException("test weights missing: " + file);
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = Math.toIntExact(buf.getLong(0));
        JsonNode header = new ObjectMapper().readTree(new String(buf.array(), 8, headerLen, java.nio.charset.StandardCharsets.UTF_8));
        int base = 8 + headerLen;
        StateDict sd = new StateDict();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode t = e.getValue();
            if (!t.get("dtype").asText().equals("F32")) throw new IllegalStateException(e.getKey() + ": not F32 in " + file);
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asLong();
            float[] data = new float[Math.toIntExact(NamedTensor.numel(shape))];
            buf.position(base + t.get("data_offsets").get(0).asInt());
            buf.asFloatBuffer().get(data);
            sd.put(new NamedTensor(e.getKey(), shape, data));
        }
        return sd;
    }
}
