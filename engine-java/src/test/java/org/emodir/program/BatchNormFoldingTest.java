package org.emodir.program;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Folded conv+bias against conv-then-BatchNorm evaluated in double on random inputs (tolerance 1e-5 relative). */
class BatchNormFoldingTest {
    @Test
    void foldedConvEqualsConvFollowedByBatchNorm() {
        Random rng = new Random(5);
        int out = 4, in = 3;
        float[] w = new float[out * in],
                bias = new float[out],
                gamma = new float[out],
                beta = new float[out],
                mean = new float[out],
                var = new float[out];
        for (int i = 0; i < w.length; ++i) w[i] = (float) rng.nextGaussian();
        for (int o = 0; o < out; ++o) {
            bias[o] = (float) rng.nextGaussian();
            gamma[o] = (float) (0.5 + rng.nextDouble());
            beta[o] = (float) rng.nextGaussian();
            mean[o] = (float) rng.nextGaussian();
            var[o] = (float) (0.1 + rng.nextDouble());
        }
        BatchNormFolding.Folded f = BatchNormFolding.fold("conv", w, bias, gamma, beta, mean, var, 1e-5);
        for (int trial = 0; trial < 20; ++trial) {
            double[] x = new double[in];
            for (int i = 0; i < in; ++i) x[i] = rng.nextGaussian();
            for (int o = 0; o < out; ++o) {
                double conv = bias[o], folded = f.bias()[o];
                for (int i = 0; i < in; ++i) {
                    conv += w[o * in + i] * x[i];
                    folded += f.weight()[o * in + i] * x[i];
                }
                double bn = gamma[o] * (conv - mean[o]) / Math.sqrt(var[o] + 1e-5) + beta[o];
                assertTrue(
                        Math.abs(bn - folded) <= 1e-5 * Math.max(1, Math.abs(bn)),
                        "channel " + o + ": " + bn + " vs " + folded);
            }
        }
    }

    @Test
    void mismatchedStatisticsNameTheLayer() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> BatchNormFolding.fold(
                        "layer1.0.conv1",
                        new float[8],
                        null,
                        new float[2],
                        new float[2],
                        new float[3],
                        new float[2],
                        1e-5));
        assertTrue(
                e.getMessage().contains("layer1.0.conv1") && e.getMessage().contains("running_mean"), e.getMessage());
    }
}
