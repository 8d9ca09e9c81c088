package org.emodir.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.emodir.model.Layers.Basic;
import org.emodir.model.Layers.Block;
import org.emodir.model.Layers.Bottleneck;
import org.emodir.model.Layers.Conv;
import org.emodir.model.Layers.Linear;
import org.emodir.model.Layers.Plain;
import org.emodir.model.Layers.Pool;
import org.emodir.model.Layers.Stage;
import org.emodir.model.Layers.Stem;

/**
 * One source of truth for an architecture at a given channel configuration: layer names (PyTorch
 * state_dict prefixes), shapes, strides, and which channel sets are prunable.
 *
 * <p>Prunable: the inner width of every ResNet basic block (conv1 out / bn1 / conv2 in), the two inner
 * widths of every bottleneck, and every VGG conv output. Residual-tied channels (stem output, block outputs,
 * shortcut widths) are NOT prunable: every block of a stage adds into them, so they stay dense.
 */
public final class NetSpec {
    /** Supported families. */
    public enum Family {
        CIFAR_RESNET,
        CIFAR_VGG,
        IMAGENET_RESNET
    }

    private static final int[] VGG16_CFG = {
        64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512, -1
    };
    private static final int[] RESNET50_BLOCKS = {3, 4, 6, 3};
    private static final int BOTTLENECK_EXPANSION = 4;

    private final String arch;
    private final Family family;
    private final int numClasses;
    private final ChannelConfig channels;
    private final List<ChannelGroup> groups = new ArrayList<>();
    private final Stem stem;
    private final List<Stage> stages = new ArrayList<>();
    private final Linear head;
    /** Global index of the next block built; groups record it. */
    private int nextBlock;

    private int[] stageStarts;

    private NetSpec(String arch, Family family, int numClasses, ChannelConfig channels) {
        this.arch = arch;
        this.family = family;
        this.numClasses = numClasses;
        this.channels = channels;
        this.stem = switch (family) {
            case CIFAR_RESNET -> buildCifarResNet(depthOf(arch));
            case CIFAR_VGG -> buildVgg();
            case IMAGENET_RESNET -> buildResNet50();
        };
        this.head = new Linear(
                family == Family.CIFAR_RESNET ? "linear" : family == Family.CIFAR_VGG ? "classifier" : "fc",
                stages.get(stages.size() - 1).outChannels(),
                numClasses);
        stageStarts = new int[stages.size() + 1];
        for (int s = 0; s < stages.size(); s++)
            stageStarts[s + 1] = stageStarts[s] + stages.get(s).blocks().size();
        if (channels != null && channels.size() != groups.size()) {
            throw new IllegalArgumentException(
                    arch + " has " + groups.size() + " prunable groups but the channel config has " + channels.size());
        }
    }

    /** The unpruned network: resnet20/32/44/56/110 (CIFAR), vgg16 (CIFAR, BN), resnet50 (torchvision). */
    public static NetSpec dense(String arch, int numClasses) {
        String a = arch.toLowerCase(Locale.ROOT);
        Family f = a.equals("vgg16")
                ? Family.CIFAR_VGG
                : a.equals("resnet50") ? Family.IMAGENET_RESNET : Family.CIFAR_RESNET;
        if (f == Family.CIFAR_RESNET) depthOf(a);
        return new NetSpec(a, f, numClasses, null);
    }

    /** The same architecture at other prunable widths (residual widths unchanged). */
    public NetSpec withChannels(ChannelConfig config) {
        if (config.size() != groups.size()) {
            throw new IllegalArgumentException(
                    arch + " has " + groups.size() + " prunable groups but the channel config has " + config.size());
        }
        for (ChannelGroup g : groups) {
            if (config.width(g.index()) > g.denseWidth()) {
                throw new IllegalArgumentException("group " + g.name() + ": width " + config.width(g.index())
                        + " exceeds dense width " + g.denseWidth());
            }
        }
        return new NetSpec(arch, family, numClasses, config);
    }

    /** This spec with stage {@code s}'s prunable widths taken from {@code other} (same architecture). */
    public NetSpec withStageFrom(int s, NetSpec other) {
        return withBlocksFrom(stageStart(s), stageStart(s + 1), other);
    }

    /**
     * This spec with the prunable widths of global blocks {@code [from, to)} taken from {@code other} (same
     * architecture); refused when the range's output width changes, since the next layer would not fit.
     */
    public NetSpec withBlocksFrom(int from, int to, NetSpec other) {
        if (!other.arch.equals(arch) || other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot take blocks of " + other + " into " + this);
        }
        int[] w = channelConfig().toArray();
        for (ChannelGroup g : groups) {
            if (g.block() >= from && g.block() < to)
                w[g.index()] = other.channelConfig().width(g.index());
        }
        NetSpec merged = withChannels(new ChannelConfig(w));
        int mine = merged.blockOutChannels(to - 1), theirs = blockOutChannels(to - 1);
        if (mine != theirs) {
            throw new IllegalArgumentException(blockRangeName(from, to) + " of " + other + " outputs " + mine
                    + " channels but the next layer of " + this + " expects " + theirs);
        }
        return merged;
    }

    /**
     * The prunable group that block {@code b}'s output channels belong to (VGG: every conv output), or {@code null}
     * when they are residual-tied and stay dense (ResNets). Such a group crosses a cut after {@code b}.
     */
    public ChannelGroup outputGroup(int b) {
        if (!(block(b) instanceof Plain p)) return null;
        for (ChannelGroup g : groups) if (g.name().equals(p.conv().name())) return g;
        return null;
    }

    /** Output channels of global block {@code b}. */
    public int blockOutChannels(int b) {
        return block(b).outChannels();
    }

    private static int depthOf(String arch) {
        if (!arch.startsWith("resnet")) throw new IllegalArgumentException("unknown architecture '" + arch + "'");
        int depth;
        try {
            depth = Integer.parseInt(arch.substring("resnet".length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown architecture '" + arch + "'");
        }
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("unknown architecture '" + arch + "' (CIFAR ResNet depth must be 6n+2)");
        }
        return depth;
    }

    private int group(String name, int denseWidth, int stage) {
        ChannelGroup g = new ChannelGroup(groups.size(), name, denseWidth, stage, nextBlock);
        groups.add(g);
        return channels == null ? denseWidth : channels.width(g.index());
    }

    private static Conv conv(String name, String bn, int in, int out, int k, int stride, int pad) {
        return new Conv(name, bn, in, out, k, stride, pad, false);
    }

    private Stem buildCifarResNet(int depth) {
        int n = (depth - 2) / 6;
        int[] planes = {16, 32, 64};
        int in = planes[0];
        Stem s = new Stem(List.of(conv("conv1", "bn1", 3, in, 3, 1, 1)), null);
        for (int st = 0; st < planes.length; st++) {
            List<Block> blocks = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                String p = "layer" + (st + 1) + "." + b + ".";
                int stride = (b == 0 && st > 0) ? 2 : 1;
                int mid = group(p + "conv1", planes[st], st);
                blocks.add(new Basic(
                        conv(p + "conv1", p + "bn1", in, mid, 3, stride, 1),
                        conv(p + "conv2", p + "bn2", mid, planes[st], 3, 1, 1)));
                nextBlock++;
                in = planes[st];
            }
            stages.add(new Stage("layer" + (st + 1), List.copyOf(blocks), null));
        }
        return s;
    }

    private Stem buildVgg() {
        int idx = 0;
        int in = 3;
        List<Block> blocks = new ArrayList<>();
        for (int v : VGG16_CFG) {
            if (v < 0) {
                stages.add(new Stage("block" + (stages.size() + 1), List.copyOf(blocks), new Pool(2, 2, 0)));
                blocks.clear();
                idx += 1;
            } else {
                String name = "features." + idx;
                int out = group(name, v, stages.size());
                blocks.add(new Plain(new Conv(name, "features." + (idx + 1), in, out, 3, 1, 1, true)));
                nextBlock++;
                in = out;
                idx += 3;
            }
        }
        return new Stem(List.of(), null);
    }

    private Stem buildResNet50() {
        Stem s = new Stem(List.of(conv("conv1", "bn1", 3, 64, 7, 2, 3)), new Pool(3, 2, 1));
        int in = 64;
        for (int st = 0; st < RESNET50_BLOCKS.length; st++) {
            int planes = 64 << st;
            int outW = planes * BOTTLENECK_EXPANSION;
            List<Block> blocks = new ArrayList<>();
            for (int b = 0; b < RESNET50_BLOCKS[st]; b++) {
                String p = "layer" + (st + 1) + "." + b + ".";
                int stride = (b == 0 && st > 0) ? 2 : 1;
                int w1 = group(p + "conv1", planes, st);
                int w2 = group(p + "conv2", planes, st);
                Conv ds = (b == 0) ? conv(p + "downsample.0", p + "downsample.1", in, outW, 1, stride, 0) : null;
                blocks.add(new Bottleneck(
                        conv(p + "conv1", p + "bn1", in, w1, 1, 1, 0),
                        conv(p + "conv2", p + "bn2", w1, w2, 3, stride, 1),
                        conv(p + "conv3", p + "bn3", w2, outW, 1, 1, 0),
                        ds));
                nextBlock++;
                in = outW;
            }
            stages.add(new Stage("layer" + (st + 1), List.copyOf(blocks), null));
        }
        return s;
    }

    public String arch() {
        return arch;
    }

    public Family family() {
        return family;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Input channels (RGB). */
    public int inChannels() {
        return 3;
    }

    public Stem stem() {
        return stem;
    }

    public List<Stage> stages() {
        return Collections.unmodifiableList(stages);
    }

    public Stage stage(int s) {
        return stages.get(s);
    }

    public int numStages() {
        return stages.size();
    }

    public Linear head() {
        return head;
    }

    /** Blocks of the whole network; blocks are numbered globally in forward order, stage after stage. */
    public int numBlocks() {
        return stageStarts[stages.size()];
    }

    /** Global index of stage {@code s}'s first block; {@code stageStart(numStages())} is {@link #numBlocks()}. */
    public int stageStart(int s) {
        return stageStarts[s];
    }

    /** The stage holding global block {@code b}. */
    public int stageOfBlock(int b) {
        if (b < 0 || b >= numBlocks()) throw new IndexOutOfBoundsException("block " + b + " of " + numBlocks());
        int s = 0;
        while (stageStarts[s + 1] <= b) s++;
        return s;
    }

    /** Global block {@code b}. A stage's pooling (VGG) follows its last block and belongs to it. */
    public Block block(int b) {
        int s = stageOfBlock(b);
        return stages.get(s).blocks().get(b - stageStarts[s]);
    }

    /** True if global block {@code b} is the last of its stage (so the stage's pooling runs after it). */
    public boolean endsStage(int b) {
        return stageStarts[stageOfBlock(b) + 1] == b + 1;
    }

    /** A block range {@code [from, to)} in words: {@code layer1} for a whole stage, {@code layer2.0-4} for part of one. */
    public String blockRangeName(int from, int to) {
        int s = stageOfBlock(from);
        if (to <= from || to > stageStarts[s + 1]) return "blocks" + from + "-" + (to - 1);
        if (from == stageStarts[s] && to == stageStarts[s + 1])
            return stages.get(s).name();
        int first = from - stageStarts[s], last = to - 1 - stageStarts[s];
        return stages.get(s).name() + "." + first + (last == first ? "" : "-" + last);
    }

    /** Prunable groups with their DENSE widths; {@link #channelConfig()} gives the current ones. */
    public List<ChannelGroup> prunableGroups() {
        return Collections.unmodifiableList(groups);
    }

    public ChannelConfig channelConfig() {
        if (channels != null) return channels;
        return new ChannelConfig(
                groups.stream().mapToInt(ChannelGroup::denseWidth).toArray());
    }

    public boolean isDense() {
        return channelConfig()
                .equals(new ChannelConfig(
                        groups.stream().mapToInt(ChannelGroup::denseWidth).toArray()));
    }

    /** Every conv in forward order (stem, then stages), each with its BN. */
    public List<Conv> convs() {
        List<Conv> all = new ArrayList<>(stem.convs());
        for (Stage s : stages) all.addAll(stageConvs(s));
        return all;
    }

    public static List<Conv> stageConvs(Stage s) {
        List<Conv> all = new ArrayList<>();
        for (Block b : s.blocks()) all.addAll(b.convs());
        return all;
    }

    /** Every state_dict entry (PyTorch order and names, no num_batches_tracked) with its shape. */
    public java.util.LinkedHashMap<String, long[]> stateShapes() {
        java.util.LinkedHashMap<String, long[]> m = new java.util.LinkedHashMap<>();
        for (Conv c : convs()) {
            m.put(c.name() + ".weight", c.weightShape());
            if (c.bias()) m.put(c.name() + ".bias", new long[] {c.out()});
            for (String bnParam : BN_PARAMS) m.put(c.bn() + "." + bnParam, new long[] {c.out()});
        }
        m.put(head.name() + ".weight", new long[] {head.out(), head.in()});
        m.put(head.name() + ".bias", new long[] {head.out()});
        return m;
    }

    /** {in channels, out channels, kernel} of every conv and of the classifier (kernel 1), by layer name, forward order. */
    public java.util.LinkedHashMap<String, int[]> layerShapes() {
        java.util.LinkedHashMap<String, int[]> m = new java.util.LinkedHashMap<>();
        for (Conv c : convs()) m.put(c.name(), new int[] {c.in(), c.out(), c.kernel()});
        m.put(head.name(), new int[] {head.in(), head.out(), 1});
        return m;
    }

    /** BatchNorm entries in state_dict order. */
    public static final List<String> BN_PARAMS = List.of("weight", "bias", "running_mean", "running_var");

    /** The conv producing group {@code g}'s channels. */
    public Conv producer(ChannelGroup g) {
        return convs().stream()
                .filter(c -> c.name().equals(g.name()))
                .findFirst()
                .orElseThrow();
    }

    @Override
    public String toString() {
        return arch + (isDense() ? "" : "@" + channelConfig()) + "/" + numClasses;
    }
}
