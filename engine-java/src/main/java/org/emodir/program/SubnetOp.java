package org.emodir.program;

/**
 * One op of a {@link SubnetProgram}, in the slot form the native engine executes (see emodir_native.h; the
 * engine's {@code NativeProgram} encodes the kind as the ABI's op code).
 * Shapes are those of the src tensor and of the dst tensor after the op; channel counts are dense
 * (before pruning).
 *
 * @param maskGroup conv: the mask group of its output channels, -1 when never pruned
 * @param inGroup   mask group of the src tensor, -1 when dense
 * @param stride    conv/maxpool stride; add: spatial subsampling of the shortcut (option A: 2)
 * @param pad       conv/maxpool zero padding; add: channel offset of the shortcut (option A)
 */
public record SubnetOp(
        Kind kind,
        String name,
        int dst,
        int src,
        int inC,
        int outC,
        int kernel,
        int stride,
        int pad,
        int maskGroup,
        int inGroup,
        long weightOffset,
        long biasOffset,
        int[] inShape,
        int[] outShape)
        implements java.io.Serializable {

    public enum Kind {
        CONV,
        RELU,
        ADD,
        MAXPOOL,
        HEAD
    }
}
