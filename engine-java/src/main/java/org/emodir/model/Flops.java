package org.emodir.model;

import java.util.ArrayList;
import java.util.List;
import org.emodir.model.Layers.Conv;
import org.emodir.model.Layers.Stage;

/**
 * Multiply-accumulate and parameter counts. MACs: convolutions and the final linear layer only (BN,
 * ReLU, pooling, residual additions are not counted, as in the usual published figures). Params: conv
 * weights and biases, BN affine weight and bias (not the running statistics), linear weight and bias.
 */
public final class Flops {
    /**
     * One layer's row. {@code stage} is -1 for the stem and {@code numStages} for the head; {@code block} is the
     * global block ({@link NetSpec#numBlocks()}), -1 for the stem and {@code numBlocks} for the head.
     */
    public record Layer(String name, int stage, int block, long macs, long params) {}

    /** Per-layer table and totals. */
    public record Report(List<Layer> layers, long[] stageMacs, long totalMacs, long totalParams) {
        public long stemMacs() {
            return layers.stream()
                    .filter(l -> l.stage() < 0)
                    .mapToLong(Layer::macs)
                    .sum();
        }

        public long headMacs() {
            return layers.stream()
                    .filter(l -> l.stage() == stageMacs.length)
                    .mapToLong(Layer::macs)
                    .sum();
        }

        public String table() {
            StringBuilder sb =
                    new StringBuilder(String.format("%-32s %6s %14s %12s%n", "layer", "stage", "MACs", "params"));
            for (Layer l : layers)
                sb.append(String.format("%-32s %6d %,14d %,12d%n", l.name(), l.stage(), l.macs(), l.params()));
            sb.append(String.format("%-32s %6s %,14d %,12d%n", "total", "", totalMacs, totalParams));
            return sb.toString();
        }
    }

    private Flops() {}

    public static Report count(NetSpec spec, int h, int w) {
        List<Layer> rows = new ArrayList<>();
        long[] stageMacs = new long[spec.numStages()];
        int[] hw = {h, w};
        for (Conv c : spec.stem().convs()) rows.add(conv(c, -1, -1, hw));
        if (spec.stem().pool() != null) pool(spec.stem().pool(), hw);
        for (int s = 0; s < spec.numStages(); s++) {
            Stage st = spec.stage(s);
            for (int b = spec.stageStart(s); b < spec.stageStart(s + 1); b++) {
                int[] in = hw.clone();
                for (Conv c : spec.block(b).convs()) {
                    // The downsample conv reads the block input; every other conv reads its predecessor's output.
                    rows.add(conv(c, s, b, isShortcut(c) ? in.clone() : hw));
                }
            }
            if (st.pool() != null) pool(st.pool(), hw);
            for (Layer l : rows) if (l.stage() == s) stageMacs[s] += l.macs();
        }
        var lin = spec.head();
        long linMacs = (long) lin.in() * lin.out();
        rows.add(new Layer(lin.name(), spec.numStages(), spec.numBlocks(), linMacs, linMacs + lin.out()));
        return new Report(
                List.copyOf(rows),
                stageMacs,
                rows.stream().mapToLong(Layer::macs).sum(),
                rows.stream().mapToLong(Layer::params).sum());
    }

    /** Counts {@code c} at input size {@code hw} and advances {@code hw} to its output size in place. */
    private static Layer conv(Conv c, int stage, int block, int[] hw) {
        hw[0] = c.outSize(hw[0]);
        hw[1] = c.outSize(hw[1]);
        long weights = (long) c.out() * c.in() * c.kernel() * c.kernel();
        long macs = weights * hw[0] * hw[1];
        long params = weights + (c.bias() ? c.out() : 0) + 2L * c.out();
        return new Layer(c.name(), stage, block, macs, params);
    }

    private static boolean isShortcut(Conv c) {
        return c.name().endsWith("downsample.0");
    }

    private static void pool(Layers.Pool p, int[] hw) {
        hw[0] = p.outSize(hw[0]);
        hw[1] = p.outSize(hw[1]);
    }
}
