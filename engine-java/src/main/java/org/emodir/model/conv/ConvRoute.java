package org.emodir.model.conv;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The ways to run one libtorch convolution, in the order the router tries them. All compute the same function;
 * they differ in which oneDNN reorders they go through (the faulty part on hosts that hide their cache sizes)
 * and in speed. Measured on the 2-vCPU Zen 5 (forward + backward, batch 128, CIFAR shapes; ConvRoutingBenchmark):
 * channels-last is as fast as or faster than plain NCHW mkldnn on most shapes, padding costs the extra channels,
 * and the non-mkldnn path is 5-40x slower.
 */
public enum ConvRoute {
    /** libtorch's default: mkldnn on NCHW tensors. */
    PLAIN,
    /** mkldnn on channels-last (NHWC) input and weights; output converted back to NCHW for the layers around it. */
    CHANNELS_LAST,
    /**
     * mkldnn with input and output channels zero-padded to a multiple of 16 (padded weights are zero, so the
     * function and its gradients on the real channels are unchanged; the padding is rebuilt every call, so it
     * never becomes a parameter).
     */
    PADDED,
    /** libtorch's non-mkldnn convolution ({@code thnn_conv2d}: im2col + BLAS); correct everywhere, slow. */
    SLOW;

    private static final long[] DILATION = {1, 1};
    static final int PAD_MULTIPLE = 16;

    /** Whether this route is a distinct, safe candidate for the shape. */
    boolean appliesTo(ConvShape s) {
        return switch (this) {
            case PLAIN, SLOW -> true;
            // channels-last 1x1 stride-2 backward corrupted the heap on an affected host (issue 12): never try it
            // there.
            case CHANNELS_LAST -> !(s.kernel() == 1 && s.stride() > 1);
            case PADDED -> padded(s.inChannels()) != s.inChannels() || padded(s.outChannels()) != s.outChannels();
        };
    }

    static int padded(int channels) {
        return (channels + PAD_MULTIPLE - 1) / PAD_MULTIPLE * PAD_MULTIPLE;
    }

    /** {@code conv2d(x, w, bias)} with square kernel, stride and zero padding; {@code bias} may be null. */
    public Tensor apply(Tensor x, Tensor w, Tensor bias, int stride, int pad) {
        long[] strides = {stride, stride};
        long[] pads = {pad, pad};
        TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias);
        switch (this) {
            case PLAIN:
                return torch.conv2d(x, w, b, strides, pads, DILATION, 1);
            case CHANNELS_LAST: {
                Tensor y = torch.conv2d(
                        x.contiguous(torch.MemoryFormat.ChannelsLast),
                        w.contiguous(torch.MemoryFormat.ChannelsLast),
                        b,
                        strides,
                        pads,
                        DILATION,
                        1);
                return y.contiguous();
            }
            case PADDED: {
                long in = w.size(1);
                long out = w.size(0);
                long extraIn = padded((int) in) - in;
                long extraOut = padded((int) out) - out;
                Tensor xp = extraIn == 0 ? x : torch.constant_pad_nd(x, 0, 0, 0, 0, 0, extraIn);
                Tensor wp = torch.constant_pad_nd(w, 0, 0, 0, 0, 0, extraIn, 0, extraOut);
                TensorOptional bp = bias == null ? b : new TensorOptional(torch.constant_pad_nd(bias, 0, extraOut));
                Tensor y = torch.conv2d(xp, wp, bp, strides, pads, DILATION, 1);
                return extraOut == 0 ? y : y.narrow(1, 0, out).contiguous();
            }
            case SLOW:
                return torch.thnn_conv2d(x, w, new long[] {w.size(2), w.size(3)}, b, strides, pads);
            default:
                throw new AssertionError(this);
        }
    }

    /** Lower-case name used in files, reports and the {@code EMODIR_CONV_ROUTE} override. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ConvRoute parse(String id) {
        for (ConvRoute r : values()) if (r.id().equals(id)) return r;
        throw new IllegalArgumentException(
                "unknown convolution route '" + id + "' (expected plain, channels_last, padded or slow)");
    }
}
