package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.emodir.model.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sgd against a naive double-precision implementation of PyTorch's update rule (tolerance: 1e-6 relative). */
class SgdTest {
    @ParameterizedTest
    @CsvSource({"0.9,0.1,false", "0.9,0.1,true", "0,0,false", "0.5,0.01,true"})
    void matchesTheReferenceUpdateRule(double mu, double wd, boolean nesterov) {
        double[] p = {1.0, -2.0, 0.5};
        double[] buf = new double[3];
        double lr = 0.1;
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Tensors.fromFloats(new float[] {1.0f, -2.0f, 0.5f}, 3).set_requires_grad(true);
            try (Sgd sgd = new Sgd(List.of(t), mu, wd, nesterov)) {
                for (int step = 0; step < 4; step++) {
                    // loss = sum(p^3)/3 -> grad = p^2 (non-linear so each step's gradient differs)
                    sgd.zeroGrad();
                    t.mul(t)
                            .mul(t)
                            .sum()
                            .div(new org.bytedeco.pytorch.Scalar(3.0))
                            .backward();
                    sgd.step(lr);
                    for (int i = 0; i < 3; i++) {
                        double g = p[i] * p[i] + wd * p[i];
                        buf[i] = step == 0 ? g : mu * buf[i] + g;
                        double d = mu == 0 ? g : nesterov ? g + mu * buf[i] : buf[i];
                        p[i] -= lr * d;
                    }
                    float[] actual = Tensors.toFloats(t);
                    for (int i = 0; i < 3; i++) {
                        // float32 vs double: a few ulps per step, relative to the magnitude.
                        assertEquals(
                                p[i], actual[i], 1e-6 * Math.max(1, Math.abs(p[i])), "step " + step + " element " + i);
                    }
                }
            }
        }
    }
}
