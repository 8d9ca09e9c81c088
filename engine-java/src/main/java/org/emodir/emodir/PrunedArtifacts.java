package org.emodir.emodir;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.emodir.io.AtomicFiles;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.emodir.report.ReportJson;

/**
 * The pruned model on disk: {@code model.safetensors} and {@code architecture.json} = {model, num_classes,
 * channels: [{layer, width, dense_width}...]} (prunable groups in network order), enough to rebuild the
 * {@link NetSpec}. Both written atomically.
 */
public final class PrunedArtifacts {
    public static final String WEIGHTS = "model.safetensors";
    public static final String ARCHITECTURE = "architecture.json";

    private PrunedArtifacts() {}

    public static void save(Path dir, NetSpec spec, StateDict weights) throws IOException {
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(WEIGHTS), weights, Map.of("arch", spec.arch()));
        ObjectNode root = ReportJson.mapper().createObjectNode();
        root.put("model", spec.arch());
        root.put("num_classes", spec.numClasses());
        ArrayNode ch = root.putArray("channels");
        for (ChannelGroup g : spec.prunableGroups()) {
            ch.addObject().put("layer", g.name()).put("width", spec.channelConfig().width(g.index()))
                    .put("dense_width", g.denseWidth());
        }
        AtomicFiles.writeString(dir.resolve(ARCHITECTURE), ReportJson.mapper().writeValueAsString(root));
    }

    /** The spec described by an {@code architecture.json}. */
    public static NetSpec readSpec(Path architectureJson) throws IOException {
        var root = ReportJson.mapper().readTree(architectureJson.toFile());
        if (root == null || !root.has("model") || !root.has("num_classes") || !root.has("channels")) {
            throw new IOException(architectureJson + ": needs fields model, num_classes and channels");
        }
        NetSpec dense = NetSpec.dense(root.get("model").asText(), root.get("num_classes").asInt());
        var ch = root.get("channels");
        if (ch.size() != dense.prunableGroups().size()) {
            throw new IOException(architectureJson + ": " + ch.size() + " channel entries but " + dense.arch() + " has "
                    + dense.prunableGroups().size() + " prunable groups");
        }
        int[] w = new int[ch.size()];
        for (int i = 0; i < w.length; i++) w[i] = ch.get(i).get("width").asInt();
        return dense.withChannels(new ChannelConfig(w));
    }
}
