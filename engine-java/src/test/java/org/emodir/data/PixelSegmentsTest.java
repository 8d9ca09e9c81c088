package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class PixelSegmentsTest {
    @Test
    void imagesNeverStraddleSegments() {
        PixelSegments p = PixelSegments.allocate(7, 10, 35); // 3 per segment: 3 + 3 + 1
        assertEquals(3, p.segments());
        for (int i = 0; i < 7; i++) {
            byte[] img = new byte[10];
            java.util.Arrays.fill(img, (byte) (i + 1));
            p.put(i, img);
        }
        for (int i = 0; i < 7; i++) {
            byte[] got = new byte[12];
            p.get(i, got, 1);
            assertEquals(i + 1, got[1]);
            assertEquals(i + 1, got[10]);
            assertEquals(0, got[11]);
            assertEquals((i % 3) * 10, p.offset(i));
        }
        assertEquals(10, p.buffer(6).capacity());
    }

    @Test
    void rejectsInconsistentLayouts() {
        assertThrows(IllegalArgumentException.class, () -> PixelSegments.allocate(2, 40, 35));
        UnsafeBuffer small = new UnsafeBuffer(new byte[19]);
        assertThrows(IllegalArgumentException.class, () -> PixelSegments.single(small, 10, 2));
        assertThrows(IllegalArgumentException.class, () -> new PixelSegments(new UnsafeBuffer[] {small}, 1, 10, 2));
        assertArrayEquals(new int[] {3, 3, 1}, new int[] {
            PixelSegments.imagesIn(0, 7, 3), PixelSegments.imagesIn(1, 7, 3), PixelSegments.imagesIn(2, 7, 3)
        });
    }

    @Test
    void imagenetValidationNeedsSeveralSegments() {
        int per = PixelSegments.imagesPerSegment(
                ImageGeometry.IMAGENET_EVAL.pixelsPerImage(), PixelSegments.MAX_SEGMENT_BYTES);
        assertEquals(7133, per); // floor(2^30 / 150528)
        assertEquals(8, PixelSegments.segmentCount(50_000, per));
    }
}
