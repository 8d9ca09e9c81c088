package org.emodir.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsException;
import org.emodir.model.io.WeightsLoader;

/**
 * A physically pruned network: its architecture and matching weights. On disk it is a directory with
 * {@value #WEIGHTS_FILE} and {@value #ARCHITECTURE_FILE} (fields documented in {@link ArchitectureFile}).
 */
public record PrunedModel(NetSpec spec, StateDict weights) {
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String ARCHITECTURE_FILE = "architecture.json";

    /**
     * Prunes {@code denseWeights} by one mask per prunable group (1 = keep the channel).
     *
     * @param groups must be {@code denseSpec.prunableGroups()} (the masks are indexed like them)
     */
    public static PrunedModel fromMasks(
            NetSpec denseSpec, StateDict denseWeights, List<ChannelGroup> groups, byte[][] keepMasks) {
        List<ChannelGroup> expected = denseSpec.prunableGroups();
        if (!groups.equals(expected)) {
            throw new IllegalArgumentException("groups are not the prunable groups of " + denseSpec + " ("
                    + groups.size() + " given, " + expected.size() + " expected)");
        }
        if (keepMasks.length != groups.size()) {
            throw new IllegalArgumentException(denseSpec + " has " + groups.size() + " prunable groups but "
                    + keepMasks.length + " masks were given");
        }
        List<int[]> keep = new ArrayList<>();
        for (ChannelGroup g : groups)
            keep.add(keptIndices(
                    g, keepMasks[g.index()], denseSpec.channelConfig().width(g.index())));
        ChannelPruner.Result r = ChannelPruner.prune(denseSpec, denseWeights, keep);
        return new PrunedModel(r.spec(), r.weights());
    }

    private static int[] keptIndices(ChannelGroup g, byte[] mask, int width) {
        if (mask == null || mask.length != width) {
            throw new IllegalArgumentException("group " + g.name() + ": mask has " + (mask == null ? "no" : mask.length)
                    + " entries, the group has " + width + " channels");
        }
        int n = 0;
        for (byte b : mask) if (b != 0) n++;
        if (n == 0)
            throw new IllegalArgumentException(
                    "group " + g.name() + ": mask keeps no channel (at least one is required)");
        int[] keep = new int[n];
        for (int c = 0, j = 0; c < width; c++) if (mask[c] != 0) keep[j++] = c;
        return keep;
    }

    /** Builds a libtorch net with these weights (the caller closes it). */
    public TorchNet toTorchNet() {
        return TorchNet.fromStateDict(spec, weights);
    }

    /** The same architecture with other weights (e.g. after training). */
    public PrunedModel withWeights(StateDict trained) {
        return new PrunedModel(spec, trained);
    }

    public Flops.Report flops() {
        return ArchitectureFile.flops(spec);
    }

    /** Writes both files atomically (weights first, so a complete architecture.json implies complete weights). */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), weights, Map.of("format", "pt", "arch", spec.arch()));
        ArchitectureFile.write(dir.resolve(ARCHITECTURE_FILE), spec);
    }

    public static PrunedModel load(Path dir) throws IOException {
        return loadArchitecture(dir.resolve(ARCHITECTURE_FILE), dir.resolve(WEIGHTS_FILE));
    }

    /** Reads the architecture, then the weights (safetensors or .pt), strictly checked against it. */
    public static PrunedModel loadArchitecture(Path architectureJson, Path weightsFile) throws IOException {
        NetSpec spec = ArchitectureFile.read(architectureJson);
        if (!Files.isRegularFile(weightsFile)) throw new ArchitectureException(weightsFile, "weights file not found");
        StateDict w = WeightsLoader.load(weightsFile);
        var shapes = spec.stateShapes();
        try {
            for (String key : w.names()) {
                if (!shapes.containsKey(key) && !key.endsWith("num_batches_tracked")) {
                    throw new WeightsException("unexpected tensor '" + key + "' with shape "
                            + w.get(key).shapeString());
                }
            }
            for (var e : shapes.entrySet()) w.require(e.getKey(), e.getValue());
        } catch (WeightsException e) {
            throw new ArchitectureException(
                    weightsFile, "does not fit " + spec + " of " + architectureJson + ": " + e.getMessage(), e);
        }
        return new PrunedModel(spec, w);
    }
}
