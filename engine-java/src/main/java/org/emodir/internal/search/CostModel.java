package org.emodir.internal.search;

import java.util.List;
import org.emodir.model.ChannelGroup;
import org.emodir.model.Flops;
import org.emodir.model.NetSpec;

/**
 * Exact MACs and parameters of a network as a function of its prunable widths. A group's channels
 * appear only in its producing conv (+BN) and the one consuming conv, so every count is affine in each
 * width: the per-channel coefficients are measured once with {@link Flops} (dense vs one channel less)
 * and a mask's cost is the dense cost minus coefficient x removed channels.
 */
public final class CostModel {
    private final long denseMacs;
    private final long denseParams;
    private final long[] blockMacs;
    private final long[] blockParams;
    private final int[] stageStarts;
    private final long[] macsPerChannel;
    private final long[] paramsPerChannel;

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
        List<ChannelGroup> groups = dense.prunableGroups();
        macsPerChannel = new long[groups.size()];
        paramsPerChannel = new long[groups.size()];
        int[] widths = dense.channelConfig().toArray();
        for (ChannelGroup g : groups) {
            int[] less = widths.clone();
            less[g.index()]--;
            Flops.Report r = Flops.count(dense.withChannels(new org.emodir.model.ChannelConfig(less)), h, w);
            macsPerChannel[g.index()] = denseMacs - r.totalMacs();
            paramsPerChannel[g.index()] = denseParams - r.totalParams();
        }
    }


    public long denseMacs() { return denseMacs; }
    public long denseParams() { return denseParams; }

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

    /** MACs removed when {@code groups} (in mask order, {@code mask} one byte per channel) drop the zero channels. */
    public long removedMacs(List<ChannelGroup> groups, byte[] mask, int offset) {
        return removed(groups, mask, offset, macsPerChannel);
    }

    public long removedParams(List<ChannelGroup> groups, byte[] mask, int offset) {
        return removed(groups, mask, offset, paramsPerChannel);
    }

    /** Removed MACs from per-group kept counts. */
    public long removedMacs(List<ChannelGroup> groups, int[] kept) {
        long r = 0;
        for (int i = 0; i < groups.size(); i++) r += macsPerChannel[groups.get(i).index()] * (groups.get(i).denseWidth() - kept[i]);
        return r;
    }

    private static long removed(List<ChannelGroup> groups, byte[] mask, int offset, long[] coef) {
        long r = 0;
        int pos = offset;
        for (ChannelGroup g : groups) {
            int dropped = 0;
            for (int i = 0; i < g.denseWidth(); i++) if (mask[pos + i] == 0) dropped++;
            r += coef[g.index()] * dropped;
            pos += g.denseWidth();
        }
        return r;
    }
}
