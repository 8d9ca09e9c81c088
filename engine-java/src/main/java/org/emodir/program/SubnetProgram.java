package org.emodir.program;

import java.util.List;

/**
 * An immutable straight-line sub-network (conv/BN-folded, relu, residual add, maxpool, GAP+linear head)
 * plus its gene layout: one gene per output channel of every prunable conv, groups concatenated in
 * {@link #groupNames()} order. Built by {@link SubnetProgramBuilder}; run by the population evaluators.
 */
public record SubnetProgram(
        List<SubnetOp> ops,
        float[] weights,
        int[] inputShape,
        int[] outputShape,
        List<String> groupNames,
        int[] groupSizes,
        boolean hasHead)
        // Shipped to cluster executors (engine-spark) as is.
        implements java.io.Serializable {
    /** Tensor slots a program may use: the native engine's {@code EMODIR_MAX_SLOTS} (checked by its binding). */
    public static final int MAX_SLOTS = 8;

    public int numGenes() {
        int n = 0;
        for (int g : groupSizes) n += g;
        return n;
    }

    /** First gene of mask group {@code g}. */
    public int groupOffset(int g) {
        int n = 0;
        for (int i = 0; i < g; ++i) n += groupSizes[i];
        return n;
    }

    public int inputSize() {
        return inputShape[0] * inputShape[1] * inputShape[2];
    }

    public int outputSize() {
        return outputShape[0] * outputShape[1] * outputShape[2];
    }

    /** Number of classes of the head; only meaningful when {@link #hasHead()}. */
    public int classes() {
        return outputShape[0];
    }
}
