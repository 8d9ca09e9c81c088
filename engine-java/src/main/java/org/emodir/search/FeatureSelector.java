package org.emodir.search;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The paper's feature selector for one sub-network: a softmax regression on the dense sub-network's output
 * features, globally average-pooled, trained once on the calibration images. A candidate's impairment is this
 * head's cross-entropy on the candidate's features, so it judges what a pruned sub-network's features still tell
 * about the class without running the rest of the network.
 *
 * <p>Trained by accelerated gradient descent on standardised features (step 1/L from the features' covariance,
 * L2-regularised, deterministic), then the standardisation is folded into {@code weight}/{@code bias}, so the head
 * is a plain global-average-pooling + linear layer ({@code weight[classes][channels]}) that the native engine runs.
 *
 * @param trainLoss mean cross-entropy of the dense features on the images it was trained on
 * @param trainTop1 top-1 of the dense features on those images
 */
public record FeatureSelector(
        int channels, int classes, float[] weight, float[] bias, double trainLoss, double trainTop1) {
    /** L2 penalty on the standardised weights: the calibration set is small next to channels x classes. */
    public static final double L2 = 1e-2;

    private static final int ITERATIONS = 400;

    /**
     * @param features {@code images x chw[0] x chw[1] x chw[2]} float32, NCHW
     * @param labels   class of every image, in {@code [0, classes)}
     */
    public static FeatureSelector train(UnsafeBuffer features, int images, int[] chw, int[] labels, int classes) {
        return train(pooled(features, images, chw), labels, classes);
    }

    /**
     * @param pooledFeatures {@code [images][channels]} globally average-pooled features ({@link #pooled})
     * @param labels         class of every image, in {@code [0, classes)}
     */
    public static FeatureSelector train(double[][] pooledFeatures, int[] labels, int classes) {
        int images = pooledFeatures.length;
        if (images == 0 || labels.length != images) {
            throw new IllegalArgumentException(images + " pooled feature rows for " + labels.length + " labels");
        }
        int c = pooledFeatures[0].length;
        double[][] z = new double[images][];
        for (int n = 0; n < images; n++) z[n] = pooledFeatures[n].clone();
        double[] mean = new double[c], sd = new double[c];
        for (int j = 0; j < c; j++) {
            for (int n = 0; n < images; n++) mean[j] += z[n][j] / images;
            for (int n = 0; n < images; n++) sd[j] += (z[n][j] - mean[j]) * (z[n][j] - mean[j]) / images;
            sd[j] = Math.sqrt(sd[j]) + 1e-6;
            for (int n = 0; n < images; n++) z[n][j] = (z[n][j] - mean[j]) / sd[j];
        }
        for (int n = 0; n < images; n++) {
            if (labels[n] < 0 || labels[n] >= classes) {
                throw new IllegalArgumentException(
                        "label " + labels[n] + " of image " + n + " is not in [0, " + classes + ")");
            }
        }
        // Softmax CE's Hessian is at most 0.5 * E[x x^T] per class block (x = features with a constant 1).
        double lipschitz = 0.5 * (largestEigen(z) + 1) + L2;
        double step = 1.0 / lipschitz;
        int p = c + 1;
        double[] theta = new double[classes * p], y = theta.clone(), grad = new double[theta.length];
        for (int it = 1; it <= ITERATIONS; it++) {
            lossAndGradient(z, labels, classes, y, grad);
            double[] next = new double[theta.length];
            for (int i = 0; i < theta.length; i++) next[i] = y[i] - step * grad[i];
            double momentum = (it - 1.0) / (it + 2.0);
            for (int i = 0; i < theta.length; i++) y[i] = next[i] + momentum * (next[i] - theta[i]);
            theta = next;
        }
        float[] w = new float[classes * c], b = new float[classes];
        for (int k = 0; k < classes; k++) {
            double bias = theta[k * p + c];
            for (int j = 0; j < c; j++) {
                w[k * c + j] = (float) (theta[k * p + j] / sd[j]);
                bias -= theta[k * p + j] * mean[j] / sd[j];
            }
            b[k] = (float) bias;
        }
        double[] fit = score(pooledFeatures, labels, classes, w, b);
        return new FeatureSelector(c, classes, w, b, fit[0], fit[1]);
    }

    /** Mean cross-entropy and top-1 of this head on pooled features {@code [images][channels]} (a Java reference). */
    public double[] score(double[][] pooledFeatures, int[] labels) {
        return score(pooledFeatures, labels, classes, weight, bias);
    }

    /** Global average pooling of NCHW float32 features: {@code [images][channels]}. */
    public static double[][] pooled(UnsafeBuffer features, int images, int[] chw) {
        int c = chw[0], hw = chw[1] * chw[2];
        double[][] out = new double[images][c];
        for (int n = 0; n < images; n++) {
            for (int j = 0; j < c; j++) {
                long base = ((long) n * c + j) * hw * Float.BYTES;
                double s = 0;
                for (int i = 0; i < hw; i++) s += features.getFloat((int) (base + (long) i * Float.BYTES));
                out[n][j] = s / hw;
            }
        }
        return out;
    }

    private static double[] score(double[][] x, int[] labels, int classes, float[] w, float[] b) {
        int c = x[0].length;
        double loss = 0;
        int correct = 0;
        double[] logits = new double[classes];
        for (int n = 0; n < x.length; n++) {
            int best = 0;
            for (int k = 0; k < classes; k++) {
                double s = b[k];
                for (int j = 0; j < c; j++) s += w[k * c + j] * x[n][j];
                logits[k] = s;
                if (s > logits[best]) best = k;
            }
            loss += logSumExp(logits) - logits[labels[n]];
            if (best == labels[n]) correct++;
        }
        return new double[] {loss / x.length, (double) correct / x.length};
    }

    private static void lossAndGradient(double[][] z, int[] labels, int classes, double[] theta, double[] grad) {
        int c = z[0].length, p = c + 1, n = z.length;
        java.util.Arrays.fill(grad, 0);
        double[] logits = new double[classes];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < classes; k++) {
                double s = theta[k * p + c];
                for (int j = 0; j < c; j++) s += theta[k * p + j] * z[i][j];
                logits[k] = s;
            }
            double lse = logSumExp(logits);
            for (int k = 0; k < classes; k++) {
                double r = (Math.exp(logits[k] - lse) - (k == labels[i] ? 1 : 0)) / n;
                for (int j = 0; j < c; j++) grad[k * p + j] += r * z[i][j];
                grad[k * p + c] += r;
            }
        }
        for (int k = 0; k < classes; k++) {
            for (int j = 0; j < c; j++) grad[k * p + j] += L2 * theta[k * p + j];
        }
    }

    private static double logSumExp(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        double s = 0;
        for (double x : v) s += Math.exp(x - m);
        return m + Math.log(s);
    }

    /** Largest eigenvalue of the second-moment matrix of {@code z} (power iteration). */
    private static double largestEigen(double[][] z) {
        int c = z[0].length;
        double[] v = new double[c];
        java.util.Arrays.fill(v, 1 / Math.sqrt(c));
        double lambda = 0;
        for (int it = 0; it < 50; it++) {
            double[] u = new double[c];
            for (double[] row : z) {
                double d = 0;
                for (int j = 0; j < c; j++) d += row[j] * v[j];
                for (int j = 0; j < c; j++) u[j] += d * row[j] / z.length;
            }
            double norm = 0;
            for (double x : u) norm += x * x;
            norm = Math.sqrt(norm);
            if (norm == 0) return 0;
            lambda = norm;
            for (int j = 0; j < c; j++) v[j] = u[j] / norm;
        }
        return lambda;
    }
}
