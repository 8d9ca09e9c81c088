package org.emodir.model.io;

import java.util.Arrays;

/**
 * One float32 tensor of a state dict, held on-heap in row-major order. Checkpoints of the
 * networks emodir prunes are small (ResNet-50: 100 MB), so plain arrays keep every consumer
 * (libtorch upload, BN folding, channel slicing) simple.
 */
public record NamedTensor(String name, long[] shape, float[] data) {
    public NamedTensor {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs " + n
                    + " values but " + data.length + " were given");
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public int dim(int i) {
        return (int) shape[i];
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
