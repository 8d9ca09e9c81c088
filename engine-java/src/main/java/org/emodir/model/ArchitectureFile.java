package org.emodir.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.emodir.run.AtomicFiles;

/**
 * Reads and writes {@code architecture.json}, the contract that lets {@code emodir eval --arch} rebuild a pruned
 * network without the search that produced it. Fields (all required on read):
 * <ul>
 *   <li>{@code format}: {@value #FORMAT}</li>
 *   <li>{@code arch}: architecture name understood by {@link NetSpec#dense} (e.g. {@code resnet56})</li>
 *   <li>{@code numClasses}: classifier outputs</li>
 *   <li>{@code inputSize}: {@code [channels, height, width]} the MAC count refers to</li>
 *   <li>{@code groups}: object, prunable group name (conv producing the channels) to kept channel count</li>
 *   <li>{@code channels}: the same widths as an array in {@link NetSpec#prunableGroups()} order
 *       (the full {@link ChannelConfig}); must agree with {@code groups}</li>
 *   <li>{@code macs}, {@code params}: {@link Flops#count} totals of this architecture at {@code inputSize};
 *       checked on read, so a hand-edited width that no longer matches its counts is caught</li>
 *   <li>{@code denseMacs}: the unpruned network's MACs, for the reduction figure (informational)</li>
 * </ul>
 */
public final class ArchitectureFile {
    public static final String FORMAT = "emodir-architecture-v1";
    private static final int CIFAR_SIZE = 32;
    private static final int IMAGENET_SIZE = 224;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ArchitectureFile() {}

    /** Square input side the family is trained and counted at (CIFAR 32, ImageNet 224). */
    public static int inputSize(NetSpec spec) {
        return spec.family() == NetSpec.Family.IMAGENET_RESNET ? IMAGENET_SIZE : CIFAR_SIZE;
    }

    /** MAC/param totals of {@code spec} at its family's input size. */
    public static Flops.Report flops(NetSpec spec) {
        int s = inputSize(spec);
        return Flops.count(spec, s, s);
    }

    public static void write(Path file, NetSpec spec) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("arch", spec.arch());
        root.put("numClasses", spec.numClasses());
        int size = inputSize(spec);
        root.putArray("inputSize").add(spec.inChannels()).add(size).add(size);
        ObjectNode groups = root.putObject("groups");
        ChannelConfig cc = spec.channelConfig();
        for (ChannelGroup g : spec.prunableGroups()) groups.put(g.name(), cc.width(g.index()));
        ArrayNode widths = root.putArray("channels");
        for (int w : cc.toArray()) widths.add(w);
        Flops.Report f = flops(spec);
        root.put("macs", f.totalMacs());
        root.put("params", f.totalParams());
        root.put(
                "denseMacs",
                flops(NetSpec.dense(spec.arch(), spec.numClasses())).totalMacs());
        AtomicFiles.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    /** The network described by {@code file}; every field is validated and errors name the file and field. */
    public static NetSpec read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ArchitectureException(file, "file not found", e);
        } catch (IOException e) {
            throw new ArchitectureException(file, "not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ArchitectureException(file, "(root)", "must be a JSON object");
        String format = text(file, root, "format");
        if (!format.equals(FORMAT))
            throw new ArchitectureException(file, "format", "'" + format + "' is not " + FORMAT);
        String arch = text(file, root, "arch");
        int classes = (int) positive(file, root, "numClasses");
        NetSpec dense;
        try {
            dense = NetSpec.dense(arch, classes);
        } catch (IllegalArgumentException e) {
            throw new ArchitectureException(file, "arch", e.getMessage());
        }
        int size = inputSize(dense);
        JsonNode input = field(file, root, "inputSize");
        if (!input.isArray()
                || input.size() != 3
                || input.get(0).asInt() != dense.inChannels()
                || input.get(1).asInt() != size
                || input.get(2).asInt() != size) {
            throw new ArchitectureException(
                    file,
                    "inputSize",
                    input + " but " + arch + " is built for [" + dense.inChannels() + ", " + size + ", " + size + "]");
        }
        List<ChannelGroup> groups = dense.prunableGroups();
        JsonNode channels = field(file, root, "channels");
        if (!channels.isArray() || channels.size() != groups.size()) {
            throw new ArchitectureException(
                    file,
                    "channels",
                    "must be an array of " + groups.size() + " widths for " + arch + ", got "
                            + (channels.isArray() ? channels.size() + " entries" : channels.getNodeType()));
        }
        int[] widths = new int[groups.size()];
        for (ChannelGroup g : groups) {
            JsonNode w = channels.get(g.index());
            if (!w.canConvertToInt() || !w.isIntegralNumber() || w.asInt() < 1 || w.asInt() > g.denseWidth()) {
                throw new ArchitectureException(
                        file,
                        "channels[" + g.index() + "]",
                        "width " + w + " of group " + g.name() + " must be an integer in 1.." + g.denseWidth());
            }
            widths[g.index()] = w.asInt();
        }
        checkGroups(file, field(file, root, "groups"), groups, widths);
        NetSpec spec = dense.withChannels(new ChannelConfig(widths));
        Flops.Report f = flops(spec);
        long macs = positive(file, root, "macs");
        long params = positive(file, root, "params");
        if (macs != f.totalMacs()) {
            throw new ArchitectureException(file, "macs", macs + " but the channels give " + f.totalMacs());
        }
        if (params != f.totalParams()) {
            throw new ArchitectureException(file, "params", params + " but the channels give " + f.totalParams());
        }
        return spec;
    }

    private static void checkGroups(Path file, JsonNode node, List<ChannelGroup> groups, int[] widths) {
        if (!node.isObject())
            throw new ArchitectureException(file, "groups", "must be an object of group name to width");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (groups.stream().noneMatch(g -> g.name().equals(name))) {
                throw new ArchitectureException(file, "groups." + name, "no such prunable group");
            }
        }
        for (ChannelGroup g : groups) {
            JsonNode w = node.get(g.name());
            if (w == null) throw new ArchitectureException(file, "groups." + g.name(), "missing");
            if (!w.isIntegralNumber() || w.asInt() != widths[g.index()]) {
                throw new ArchitectureException(
                        file,
                        "groups." + g.name(),
                        w + " disagrees with channels[" + g.index() + "] = " + widths[g.index()]);
            }
        }
    }

    private static JsonNode field(Path file, JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) throw new ArchitectureException(file, name, "missing");
        return n;
    }

    private static String text(Path file, JsonNode root, String name) {
        JsonNode n = field(file, root, name);
        if (!n.isTextual()) throw new ArchitectureException(file, name, "must be a string, got " + n);
        return n.asText();
    }

    private static long positive(Path file, JsonNode root, String name) {
        JsonNode n = field(file, root, name);
        if (!n.isIntegralNumber() || n.asLong() < 1)
            throw new ArchitectureException(file, name, "must be a positive integer, got " + n);
        return n.asLong();
    }
}
