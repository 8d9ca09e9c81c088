package org.emodir.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact MACs and parameters of a network as a function of its prunable widths. Every layer's count is
 * {@code in x out x factor} (+ per-output-channel parameters), where {@code in} and {@code out} are either fixed or a
 * prunable group's width: affine per width for ResNet basic blocks, bilinear where a pruned conv feeds another
 * pruned conv (VGG, ResNet-50 bottlenecks). Which group drives which side of which layer is measured once with
 * {@link Flops} (dense vs one channel less per group), so the model has no architecture-specific code.
 *
 * <p>A sub-network's cost ({@link #removedMacsInBlocks}) counts only its own layers with its input at full width.
 * Where its first layer reads channels pruned by the sub-network before it (VGG), the whole network removes at least
 * the sum of the sub-networks' removals, so a joint scheme built from them meets its target for sure.
 */
public final class CostModel {
    /** One conv or the classifier: {@code macs = in * out * macFactor}, {@code params = in * out * weightFactor + out * perOut}. */
    private record Term(
            int block, int inGroup, int outGroup, long in, long out, long macFactor, long weightFactor, long perOut) {
        long macs(int[] w) {
            return width(inGroup, in, w) * width(outGroup, out, w) * macFactor;
        }

        long params(int[] w) {
            long o = width(outGroup, out, w);
            return width(inGroup, in, w) * o * weightFactor + o * perOut;
        }

        private static long width(int group, long dense, int[] w) {
            return group < 0 ? dense : w[group];
        }
    }

    private final long denseMacs;
    private final long denseParams;
    private final long[] blockMacs;
    private final long[] blockParams;
    private final int[] stageStarts;
    private final int[] denseWidths;
    private final List<Term> terms = new ArrayList<>();

    public CostModel(NetSpec dense, int h, int w) {
        Flops.Report base = Flops.count(dense, h, w);
        denseMacs = base.totalMacs();
        denseParams = base.totalParams();
        blockMacs = new long[dense.numBlocks()];
        blockParams = new long[dense.numBlocks()];
        for (Flops.Layer l : base.layers()) {
            if (l.block() >= 0 && l.block() < blockMacs.length) {
                blockMacs[l.block()] += l.macs();
                blockParams[l.block()] += l.params();
            }
        }
        stageStarts = new int[dense.numStages() + 1];
        for (int s = 0; s <= dense.numStages(); s++) stageStarts[s] = dense.stageStart(s);
        denseWidths = dense.channelConfig().toArray();

        // Probe: which group's width moves which layer's input or output channel count.
        Map<String, long[]> shapes = layerShapes(dense);
        Map<String, int[]> drivers = new HashMap<>();
        for (String name : shapes.keySet()) drivers.put(name, new int[] {-1, -1});
        for (ChannelGroup g : dense.prunableGroups()) {
            int[] less = denseWidths.clone();
            less[g.index()]--;
            Map<String, long[]> narrower = layerShapes(dense.withChannels(new ChannelConfig(less)));
            for (var e : shapes.entrySet()) {
                long[] n = narrower.get(e.getKey());
                if (n[0] != e.getValue()[0]) drivers.get(e.getKey())[0] = g.index();
                if (n[1] != e.getValue()[1]) drivers.get(e.getKey())[1] = g.index();
            }
        }
        for (Flops.Layer l : base.layers()) {
            long[] io = shapes.get(l.name());
            int[] d = drivers.get(l.name());
            long inOut = io[0] * io[1];
            boolean head = l.name().equals(dense.head().name());
            long weightFactor = head ? 1 : io[2] * io[2];
            long perOut = (l.params() - inOut * weightFactor) / io[1];
            terms.add(new Term(l.block(), d[0], d[1], io[0], io[1], l.macs() / inOut, weightFactor, perOut));
        }
        int[] probe = denseWidths.clone();
        if (terms.stream().mapToLong(t -> t.macs(probe)).sum() != denseMacs
                || terms.stream().mapToLong(t -> t.params(probe)).sum() != denseParams) {
            throw new IllegalStateException(
                    "cost model of " + dense + " does not reproduce its dense MACs and parameters");
        }
    }

    private static Map<String, long[]> layerShapes(NetSpec spec) {
        Map<String, long[]> m = new HashMap<>();
        spec.layerShapes().forEach((name, s) -> m.put(name, new long[] {s[0], s[1], s[2]}));
        return m;
    }

    public long denseMacs() {
        return denseMacs;
    }

    public long denseParams() {
        return denseParams;
    }

    /** Dense MACs of stages {@code first..last}. */
    public long stageMacs(int first, int last) {
        return blockMacs(stageStarts[first], stageStarts[last + 1]);
    }

    public long stageParams(int first, int last) {
        return blockParams(stageStarts[first], stageStarts[last + 1]);
    }

    /** Dense MACs of global blocks {@code [from, to)} (a stage's pooling counts nothing). */
    public long blockMacs(int from, int to) {
        long m = 0;
        for (int b = from; b < to; b++) m += blockMacs[b];
        return m;
    }

    public long blockParams(int from, int to) {
        long p = 0;
        for (int b = from; b < to; b++) p += blockParams[b];
        return p;
    }

    /** Blocks of the network. */
    public int numBlocks() {
        return blockMacs.length;
    }

    /** Whole-network MACs removed when {@code groups} (in mask order, one byte per channel) drop their zero channels; other groups dense. */
    public long removedMacs(List<ChannelGroup> groups, byte[] mask, int offset) {
        return removed(widths(groups, mask, offset), Integer.MIN_VALUE, Integer.MAX_VALUE, true);
    }

    public long removedParams(List<ChannelGroup> groups, byte[] mask, int offset) {
        return removed(widths(groups, mask, offset), Integer.MIN_VALUE, Integer.MAX_VALUE, false);
    }

    /** Whole-network MACs removed at per-group kept counts ({@code kept[i]} for {@code groups.get(i)}). */
    public long removedMacs(List<ChannelGroup> groups, int[] kept) {
        int[] w = denseWidths.clone();
        for (int i = 0; i < groups.size(); i++) w[groups.get(i).index()] = kept[i];
        return removed(w, Integer.MIN_VALUE, Integer.MAX_VALUE, true);
    }

    /** MACs removed from the layers of global blocks {@code [from, to)} only, everything outside at full width. */
    public long removedMacsInBlocks(int from, int to, List<ChannelGroup> groups, byte[] mask, int offset) {
        return removed(widths(groups, mask, offset), from, to, true);
    }

    public long removedParamsInBlocks(int from, int to, List<ChannelGroup> groups, byte[] mask, int offset) {
        return removed(widths(groups, mask, offset), from, to, false);
    }

    private int[] widths(List<ChannelGroup> groups, byte[] mask, int offset) {
        int[] w = denseWidths.clone();
        int pos = offset;
        for (ChannelGroup g : groups) {
            int kept = 0;
            for (int i = 0; i < g.denseWidth(); i++) if (mask[pos + i] != 0) kept++;
            w[g.index()] = kept;
            pos += g.denseWidth();
        }
        return w;
    }

    private long removed(int[] w, int from, int to, boolean macs) {
        long r = 0;
        for (Term t : terms) {
            if (t.block() < from || t.block() >= to) continue;
            r += macs ? t.macs(denseWidths) - t.macs(w) : t.params(denseWidths) - t.params(w);
        }
        return r;
    }
}
