package org.emodir.model.conv;

import org.bytedeco.pytorch.Tensor;

/**
 * Everything oneDNN's choice of kernel and reorders may depend on for one 2-D convolution call: the verdict
 * key. {@code grad} says whether the call's backward will run (then both gradients were verified too);
 * {@code threads} is libtorch's intra-op thread count, which changes oneDNN's blocking.
 */
public record ConvShape(
        int batch,
        int inChannels,
        int outChannels,
        int height,
        int width,
        int kernel,
        int stride,
        int pad,
        boolean bias,
        boolean grad,
        int threads) {

    public ConvShape {
        if (batch < 1
                || inChannels < 1
                || outChannels < 1
                || height < 1
                || width < 1
                || kernel < 1
                || stride < 1
                || pad < 0) {
            throw new IllegalArgumentException("not a convolution: " + this);
        }
        // Fields are assigned after the compact constructor body: compute from the parameters.
        if ((height + 2 * pad - kernel) / stride + 1 < 1 || (width + 2 * pad - kernel) / stride + 1 < 1)
            throw new IllegalArgumentException("empty convolution output: " + this);
    }

    static ConvShape of(Tensor x, Tensor w, boolean bias, int stride, int pad, boolean grad, int threads) {
        if (x.dim() != 4 || w.dim() != 4 || x.size(1) != w.size(1) || w.size(2) != w.size(3)) {
            throw new IllegalArgumentException(
                    "conv2d expects NCHW input and OIkk square weights with matching channels, got input " + dims(x)
                            + " weights " + dims(w));
        }
        return new ConvShape(
                Math.toIntExact(x.size(0)),
                Math.toIntExact(x.size(1)),
                Math.toIntExact(w.size(0)),
                Math.toIntExact(x.size(2)),
                Math.toIntExact(x.size(3)),
                Math.toIntExact(w.size(2)),
                stride,
                pad,
                bias,
                grad,
                threads);
    }

    private static String dims(Tensor t) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < t.dim(); i++) b.append(i == 0 ? "" : ", ").append(t.size(i));
        return b.append(']').toString();
    }

    public int outHeight() {
        return (height + 2 * pad - kernel) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * pad - kernel) / stride + 1;
    }

    /** Readable form for messages: {@code conv 27->16 3x3/s1/p1 at 32x32, batch 128, +bias, with gradients, 2 threads}. */
    public String describe() {
        return "conv " + inChannels + "->" + outChannels + " " + kernel + "x" + kernel + "/s" + stride + "/p" + pad
                + " at " + height + "x"
                + width + ", batch " + batch + (bias ? ", +bias" : "") + (grad ? ", with gradients" : ", forward only")
                + ", " + threads
                + " threads";
    }

    /** Multiply-accumulates of the forward pass. */
    public long macs() {
        return (long) batch * outChannels * outHeight() * outWidth() * inChannels * kernel * kernel;
    }

    /** The same convolution at another batch size. */
    public ConvShape withBatch(int n) {
        return new ConvShape(n, inChannels, outChannels, height, width, kernel, stride, pad, bias, grad, threads);
    }

    /** One line of the verdict file: tab-separated fields in declaration order. */
    String toLine() {
        return batch + "\t" + inChannels + "\t" + outChannels + "\t" + height + "\t" + width + "\t" + kernel + "\t"
                + stride + "\t" + pad + "\t" + (bias ? 1 : 0) + "\t" + (grad ? 1 : 0) + "\t" + threads;
    }

    static final int FIELDS = 11;

    /** Parses {@link #toLine()}'s fields starting at {@code f[0]}; throws on anything malformed. */
    static ConvShape parse(String[] f) {
        if (f.length < FIELDS) throw new IllegalArgumentException("expected " + FIELDS + " fields, got " + f.length);
        int[] v = new int[FIELDS];
        for (int i = 0; i < FIELDS; i++) v[i] = Integer.parseInt(f[i]);
        return new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], bit(v[8]), bit(v[9]), v[10]);
    }

    private static boolean bit(int v) {
        if (v != 0 && v != 1) throw new IllegalArgumentException("expected 0 or 1, got " + v);
        return v == 1;
    }
}
