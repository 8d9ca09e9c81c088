package org.emodir.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/** Small synthetic in-memory datasets for tests. */
final class TestImages {
    private TestImages() {}

    /** {@code n} random images, labels {@code i % classes}. */
    static ImageDataset random(int n, int classes, ImageGeometry g, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        UnsafeBuffer pixels = new UnsafeBuffer(BufferUtil.allocateDirectAligned(n * g.pixelsPerImage(), 64));
        for (int i = 0; i < n * g.pixelsPerImage(); i++) {
            pixels.putByte(i, (byte) rnd.nextInt(256));
        }
        int[] labels = new int[n];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        return new ImageDataset(
                "synthetic", names, labels, g, PixelSegments.single(pixels, g.pixelsPerImage(), n), false);
    }

    /** Value of float32 element {@code i} of a native-order buffer. */
    static float at(UnsafeBuffer b, int i) {
        return b.getFloat(i * Float.BYTES, java.nio.ByteOrder.nativeOrder());
    }
}
