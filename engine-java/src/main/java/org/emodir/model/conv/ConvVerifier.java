package org.emodir.model.conv;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Checks one route on one shape against libtorch's non-mkldnn convolution ({@link ConvRoute#SLOW}, im2col + BLAS,
 * itself checked against a direct loop in the tests). The candidate runs at the real batch size, since oneDNN's
 * choices depend on it; the reference runs only on a few images spread over the batch, so a check costs about two
 * fast convolutions plus a slow one on 4 images:
 * <ul>
 *   <li>forward and dX: every image is independent, so the candidate's rows for those images must equal the
 *       reference on those images alone (upstream gradient random on every image);</li>
 *   <li>dW sums over images: a second backward with the upstream gradient zero outside those images must equal the
 *       reference's dW on them.</li>
 * </ul>
 * Inputs are drawn from a private generator (never libtorch's global one, so a check does not change any seeded
 * run). Agreement: max abs difference at most {@link #TOLERANCE} of the reference's max abs value; NaN fails.
 * The faults seen are 7-30 % of it, float rounding below 1e-5.
 */
final class ConvVerifier {
    static final double TOLERANCE = 1e-3;
    private static final int CHECKED_IMAGES = 4;

    /** A verdict's evidence: the worst relative error over forward, dX and dW (NaN if any was NaN). */
    record Check(boolean ok, double forwardError, double inputGradError, double weightGradError) {}

    /** Runs the candidate; overridable so tests can inject a fault and see it caught. */
    interface Candidate {
        Tensor apply(Tensor x, Tensor w, Tensor bias, int stride, int pad);
    }

    private ConvVerifier() {}

    static Check check(ConvShape s, Candidate candidate) {
        try (PointerScope scope = new PointerScope()) {
            SplittableRandom rnd = new SplittableRandom(s.toLine().hashCode());
            Tensor x = uniform(rnd, s.batch(), s.inChannels(), s.height(), s.width());
            Tensor w = uniform(rnd, s.outChannels(), s.inChannels(), s.kernel(), s.kernel())
                    .mul(new org.bytedeco.pytorch.Scalar(
                            1.0 / Math.sqrt((double) s.inChannels() * s.kernel() * s.kernel())));
            Tensor bias = s.bias() ? uniform(rnd, s.outChannels()) : null;
            Tensor rows = rows(s.batch());
            Tensor xs = x.index_select(0, rows);
            if (!s.grad()) {
                try (NoGradGuard g = new NoGradGuard()) {
                    double fe = error(
                            candidate.apply(x, w, bias, s.stride(), s.pad()).index_select(0, rows),
                            ConvRoute.SLOW.apply(xs, w, bias, s.stride(), s.pad()));
                    return new Check(fe <= TOLERANCE, fe, 0, 0);
                }
            }
            Tensor gy = uniform(rnd, s.batch(), s.outChannels(), s.outHeight(), s.outWidth());
            Tensor mask = torch.zeros(s.batch(), 1, 1, 1);
            mask.index_fill_(0, rows, new org.bytedeco.pytorch.Scalar(1.0));
            Tensor gyRows = gy.mul(mask);

            Tensor[] full = run(candidate, x, w, bias, s, gy);
            Tensor[] masked = run(candidate, x, w, bias, s, gyRows);
            Tensor[] ref = run(ConvRoute.SLOW::apply, xs, w, bias, s, gy.index_select(0, rows));
            double fe = error(full[0].index_select(0, rows), ref[0]);
            double dx = error(full[1].index_select(0, rows), ref[1]);
            double dw = error(masked[2], ref[2]);
            if (bias != null) dw = Math.max(dw, error(masked[3], ref[3]));
            return new Check(fe <= TOLERANCE && dx <= TOLERANCE && dw <= TOLERANCE, fe, dx, dw);
        }
    }

    /** y, dX, dW (and dB) of one forward and backward with upstream gradient {@code gy}. */
    private static Tensor[] run(Candidate c, Tensor x0, Tensor w0, Tensor b0, ConvShape s, Tensor gy) {
        Tensor x = leaf(x0);
        Tensor w = leaf(w0);
        Tensor b = b0 == null ? null : leaf(b0);
        Tensor y = c.apply(x, w, b, s.stride(), s.pad());
        y.mul(gy).sum().backward();
        return new Tensor[] {y.detach(), x.grad(), w.grad(), b == null ? null : b.grad()};
    }

    private static Tensor leaf(Tensor t) {
        Tensor l = t.detach().clone();
        l.set_requires_grad(true);
        return l;
    }

    /** Indices of the checked images: first, last and evenly spread between. */
    private static Tensor rows(int batch) {
        int n = Math.min(batch, CHECKED_IMAGES);
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) idx[i] = n == 1 ? 0 : (long) i * (batch - 1) / (n - 1);
        Tensor t = torch.empty(
                new long[] {n},
                new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Long),
                new org.bytedeco.pytorch.MemoryFormatOptional());
        new org.bytedeco.javacpp.LongPointer(t.data_ptr()).put(idx);
        return t;
    }

    static double error(Tensor got, Tensor want) {
        double scale = want.abs().max().item_double();
        double diff = got.sub(want).abs().max().item_double();
        double e = diff / Math.max(scale, 1e-30);
        return Double.isNaN(e) ? Double.NaN : e;
    }

    private static Tensor uniform(SplittableRandom rnd, long... shape) {
        Tensor t = torch.empty(shape);
        long n = t.numel();
        FloatPointer p = new FloatPointer(t.data_ptr());
        float[] chunk = new float[(int) Math.min(n, 1 << 16)];
        for (long off = 0; off < n; off += chunk.length) {
            int len = (int) Math.min(chunk.length, n - off);
            for (int i = 0; i < len; i++) chunk[i] = (float) (rnd.nextDouble() * 2 - 1);
            p.position(off).put(chunk, 0, len);
        }
        return t;
    }
}
