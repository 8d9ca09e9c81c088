package org.emodir.program;

/**
 * Folds an inference-mode BatchNorm into the preceding conv:
 * {@code y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta} becomes a conv with weights scaled per
 * output channel by {@code s = gamma / sqrt(var + eps)} and bias {@code beta + s * (b - mean)}.
 */
final class BatchNormFolding {
    /** PyTorch's BatchNorm2d default. */
    public static final double DEFAULT_EPS = 1e-5;

    public record Folded(float[] weight, float[] bias) {}

    private BatchNormFolding() {}

    /**
     * @param convWeight {@code [outC][...]} row-major; its length must be a multiple of outC
     * @param convBias   may be null (conv without bias)
     */
    public static Folded fold(
            String layer,
            float[] convWeight,
            float[] convBias,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] var,
            double eps) {
        int outC = gamma.length;
        check(layer, "beta", beta, outC);
        check(layer, "running_mean", mean, outC);
        check(layer, "running_var", var, outC);
        if (convBias != null) check(layer, "conv bias", convBias, outC);
        if (outC == 0 || convWeight.length % outC != 0) {
            throw new IllegalArgumentException("'" + layer + "': conv weight of " + convWeight.length
                    + " floats does not split into " + outC + " output channels");
        }
        int per = convWeight.length / outC;
        float[] w = new float[convWeight.length];
        float[] b = new float[outC];
        for (int o = 0; o < outC; ++o) {
            if (var[o] + eps <= 0) {
                throw new IllegalArgumentException(
                        "'" + layer + "': running_var[" + o + "] = " + var[o] + " is negative");
            }
            double s = gamma[o] / Math.sqrt(var[o] + eps);
            for (int i = 0; i < per; ++i) w[o * per + i] = (float) (convWeight[o * per + i] * s);
            double cb = convBias == null ? 0.0 : convBias[o];
            b[o] = (float) (beta[o] + s * (cb - mean[o]));
        }
        return new Folded(w, b);
    }

    private static void check(String layer, String what, float[] a, int n) {
        if (a.length != n) {
            throw new IllegalArgumentException(
                    "'" + layer + "': " + what + " has " + a.length + " values, expected " + n);
        }
    }
}
