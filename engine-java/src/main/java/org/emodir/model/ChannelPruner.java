package org.emodir.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.emodir.model.Layers.Conv;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsException;

/**
 * Physical channel pruning: removes the channels of prunable groups from the producing conv (output
 * channels, bias), its BN (affine and running statistics) and the consuming layer (input channels of the
 * next conv, or of the classifier after VGG's last conv).
 */
public final class ChannelPruner {
    /** The smaller network: its spec and its weights. */
    public record Result(NetSpec spec, StateDict weights) {}

    private ChannelPruner() {}

    /**
     * @param spec    architecture of {@code weights} (dense or already pruned)
     * @param keep    per prunable group (in {@link NetSpec#prunableGroups()} order) the channel indices to keep,
     *                relative to the group's current width; {@code null} keeps the group whole
     */
    public static Result prune(NetSpec spec, StateDict weights, List<int[]> keep) {
        List<ChannelGroup> groups = spec.prunableGroups();
        if (keep.size() != groups.size()) {
            throw new IllegalArgumentException(
                    spec + " has " + groups.size() + " prunable groups but " + keep.size() + " keep lists were given");
        }
        StateDict out = new StateDict();
        for (String k : weights.names()) out.put(weights.get(k));
        int[] widths = spec.channelConfig().toArray();
        List<Conv> convs = spec.convs();
        for (ChannelGroup g : groups) {
            int[] k = keep.get(g.index());
            if (k == null) continue;
            Conv producer = spec.producer(g);
            int[] sorted = checkedKeep(g, k, producer.out());
            slice(out, producer.name() + ".weight", 0, sorted);
            if (producer.bias()) slice(out, producer.name() + ".bias", 0, sorted);
            for (String p : NetSpec.BN_PARAMS) slice(out, producer.bn() + "." + p, 0, sorted);
            slice(out, consumerWeight(spec, convs, producer), 1, sorted);
            widths[g.index()] = sorted.length;
        }
        NetSpec pruned = spec.withChannels(new ChannelConfig(widths));
        for (var e : pruned.stateShapes().entrySet()) out.require(e.getKey(), e.getValue());
        return new Result(pruned, out);
    }

    /** Indices of the {@code k} output channels of {@code group}'s conv with the largest L1 filter norm, ascending. */
    public static int[] l1Selection(StateDict weights, ChannelGroup group, int k) {
        NamedTensor w = weights.get(group.name() + ".weight");
        if (w == null) throw new WeightsException("missing tensor '" + group.name() + ".weight' for L1 selection");
        int out = w.dim(0);
        if (k < 1 || k > out)
            throw new IllegalArgumentException("group " + group.name() + ": cannot keep " + k + " of " + out);
        int per = w.data().length / out;
        double[] norm = new double[out];
        for (int c = 0; c < out; c++) {
            for (int i = 0; i < per; i++) norm[c] += Math.abs(w.data()[c * per + i]);
        }
        // Stable on ties: the lower index wins, so selections are reproducible.
        return IntStream.range(0, out)
                .boxed()
                .sorted(Comparator.<Integer>comparingDouble(c -> -norm[c]).thenComparingInt(c -> c))
                .limit(k)
                .mapToInt(Integer::intValue)
                .sorted()
                .toArray();
    }

    /** Keep lists for a uniform-width (or any) target config by L1 norm, for {@link #prune}. */
    public static List<int[]> l1Keep(NetSpec spec, StateDict weights, ChannelConfig target) {
        List<int[]> keep = new ArrayList<>();
        for (ChannelGroup g : spec.prunableGroups()) keep.add(l1Selection(weights, g, target.width(g.index())));
        return keep;
    }

    private static int[] checkedKeep(ChannelGroup g, int[] keep, int width) {
        int[] s = keep.clone();
        Arrays.sort(s);
        if (s.length == 0) throw new IllegalArgumentException("group " + g.name() + ": keep list is empty");
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0 || s[i] >= width || (i > 0 && s[i] == s[i - 1])) {
                throw new IllegalArgumentException(
                        "group " + g.name() + ": invalid or repeated channel " + s[i] + " (width " + width + ")");
            }
        }
        return s;
    }

    /** The weight reading the producer's channels: the next conv in forward order, or the classifier. */
    private static String consumerWeight(NetSpec spec, List<Conv> convs, Conv producer) {
        int i = convs.indexOf(producer);
        return (i + 1 < convs.size() ? convs.get(i + 1).name() : spec.head().name()) + ".weight";
    }

    private static void slice(StateDict sd, String name, int dim, int[] keep) {
        NamedTensor t = sd.get(name);
        if (t == null) throw new WeightsException("missing tensor '" + name + "' to prune");
        long[] shape = t.shape().clone();
        int outer = 1;
        for (int d = 0; d < dim; d++) outer *= (int) shape[d];
        int n = (int) shape[dim];
        int inner = t.data().length / outer / n;
        float[] dst = new float[outer * keep.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < keep.length; j++) {
                System.arraycopy(t.data(), (o * n + keep[j]) * inner, dst, (o * keep.length + j) * inner, inner);
            }
        }
        shape[dim] = keep.length;
        sd.put(new NamedTensor(name, shape, dst));
    }
}
