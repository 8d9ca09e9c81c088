package org.emodir.engine;

import java.util.Random;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;

/** Random CIFAR-ResNet tensors under PyTorch names, with non-trivial BatchNorm statistics. */
final class RandomCifarResNet {
    private final Random rng;
    final StateDict sd = new StateDict();

    RandomCifarResNet(long seed) {
        rng = new Random(seed);
    }

    /** Adds {@code blocks} basic blocks of stage {@code stage}; {@code convShortcut} adds downsample.0/1 to block 0. */
    RandomCifarResNet stage(int stage, int blocks, int inC, int planes, boolean convShortcut) {
        for (int b = 0; b < blocks; ++b) {
            String p = "layer" + stage + "." + b + ".";
            int c = b == 0 ? inC : planes;
            conv(p + "conv1.weight", planes, c, 3);
            bn(p + "bn1", planes);
            conv(p + "conv2.weight", planes, planes, 3);
            bn(p + "bn2", planes);
            if (b == 0 && convShortcut) {
                conv(p + "downsample.0.weight", planes, c, 1);
                bn(p + "downsample.1", planes);
            }
        }
        return this;
    }

    RandomCifarResNet linear(int classes, int features) {
        put("linear.weight", normal(classes * features, 1.0 / Math.sqrt(features)), classes, features);
        put("linear.bias", normal(classes, 0.1), classes);
        return this;
    }

    float[] normal(int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; ++i) a[i] = (float) (rng.nextGaussian() * std);
        return a;
    }

    private void conv(String name, int out, int in, int k) {
        put(name, normal(out * in * k * k, Math.sqrt(2.0 / (in * k * k))), out, in, k, k);
    }

    private void bn(String prefix, int c) {
        float[] gamma = new float[c], var = new float[c];
        for (int i = 0; i < c; ++i) {
            gamma[i] = (float) (0.5 + rng.nextDouble());
            var[i] = (float) (0.2 + rng.nextDouble() * 2.0);
        }
        put(prefix + ".weight", gamma, c);
        put(prefix + ".bias", normal(c, 0.2), c);
        put(prefix + ".running_mean", normal(c, 0.3), c);
        put(prefix + ".running_var", var, c);
    }

    private void put(String name, float[] data, long... shape) {
        sd.put(new NamedTensor(name, shape, data));
    }
}
