package org.emodir.program;

import java.util.ArrayList;
import java.util.List;

/**
 * Multiply-accumulates of a {@link SubnetProgram} as a function of the channels each mask group keeps. Every
 * conv and the head costs {@code coefficient * inChannels * outChannels}, where a side's channel count is the
 * kept count of its mask group (or the dense count when it is not pruned) and the coefficient is
 * {@code kernel^2 * outH * outW} (1 for the head). Element-wise ops are not counted, as in the paper's FLOPs.
 */
public final class ProgramMacs {
    private record Term(int inGroup, int inDense, int outGroup, int outDense, double coefficient) {}

    private final List<Term> terms;
    private final int[] groupSizes;
    private final double dense;

    private ProgramMacs(List<Term> terms, int[] groupSizes) {
        this.terms = terms;
        this.groupSizes = groupSizes.clone();
        this.dense = macs(this.groupSizes);
    }

    public static ProgramMacs of(SubnetProgram program) {
        List<Term> terms = new ArrayList<>();
        for (SubnetOp op : program.ops()) {
            switch (op.kind()) {
                case CONV ->
                    terms.add(new Term(
                            op.inGroup(),
                            op.inC(),
                            op.maskGroup(),
                            op.outC(),
                            (double) op.kernel() * op.kernel() * op.outShape()[1] * op.outShape()[2]));
                case HEAD -> terms.add(new Term(op.inGroup(), op.inC(), -1, op.outC(), 1.0));
                default -> {}
            }
        }
        return new ProgramMacs(terms, program.groupSizes());
    }

    /** MACs per image of the unpruned program. */
    public double dense() {
        return dense;
    }

    /** MACs per image when mask group {@code g} keeps {@code kept[g]} channels. */
    public double macs(int[] kept) {
        if (kept.length != groupSizes.length) {
            throw new IllegalArgumentException(
                    kept.length + " kept counts for a program of " + groupSizes.length + " mask groups");
        }
        double sum = 0;
        for (Term t : terms) {
            sum += t.coefficient * channels(kept, t.inGroup, t.inDense) * channels(kept, t.outGroup, t.outDense);
        }
        return sum;
    }

    /** {@link #macs} relative to the dense program, in (0, 1]. */
    public double ratio(int[] kept) {
        return macs(kept) / dense;
    }

    private static int channels(int[] kept, int group, int dense) {
        return group < 0 ? dense : kept[group];
    }
}
