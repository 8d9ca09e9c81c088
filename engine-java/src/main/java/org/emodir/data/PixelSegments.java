package org.emodir.data;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fixed-size uint8 images spread over several off-heap buffers of at most {@link #MAX_SEGMENT_BYTES}
 * each: Agrona buffers (and one file mapping) are int-indexed, while e.g. the ImageNet validation
 * set at 224x224 needs 7.5 GB. Image {@code i} lies whole in segment {@code i / imagesPerSegment}.
 */
final class PixelSegments {
    /** 1 GiB: well under the 2 GiB int limit, and few segments even for ImageNet. */
    public static final int MAX_SEGMENT_BYTES = 1 << 30;

    private final UnsafeBuffer[] buffers;
    private final int imagesPerSegment;
    private final int bytesPerImage;
    private final int count;

    public PixelSegments(UnsafeBuffer[] buffers, int imagesPerSegment, int bytesPerImage, int count) {
        if (imagesPerSegment <= 0 || bytesPerImage <= 0 || count < 0) {
            throw new IllegalArgumentException("bad segment layout: " + imagesPerSegment + " images of " + bytesPerImage
                    + " bytes per segment, " + count + " images");
        }
        if (buffers.length != segmentCount(count, imagesPerSegment)) {
            throw new IllegalArgumentException(count + " images at " + imagesPerSegment + " per segment need "
                    + segmentCount(count, imagesPerSegment) + " segments, got " + buffers.length);
        }
        for (int s = 0; s < buffers.length; s++) {
            long need = (long) imagesIn(s, count, imagesPerSegment) * bytesPerImage;
            if (buffers[s].capacity() < need) {
                throw new IllegalArgumentException(
                        "segment " + s + " holds " + buffers[s].capacity() + " bytes, needs " + need);
            }
        }
        this.buffers = buffers.clone();
        this.imagesPerSegment = imagesPerSegment;
        this.bytesPerImage = bytesPerImage;
        this.count = count;
    }

    /** All images in one buffer. */
    public static PixelSegments single(UnsafeBuffer buffer, int bytesPerImage, int count) {
        return new PixelSegments(
                count == 0 ? new UnsafeBuffer[0] : new UnsafeBuffer[] {buffer},
                Math.max(1, count),
                bytesPerImage,
                count);
    }

    /** Fresh zeroed off-heap segments for {@code count} images. */
    public static PixelSegments allocate(int count, int bytesPerImage, int segmentBytes) {
        int per = imagesPerSegment(bytesPerImage, segmentBytes);
        UnsafeBuffer[] buffers = new UnsafeBuffer[segmentCount(count, per)];
        for (int s = 0; s < buffers.length; s++) {
            buffers[s] =
                    new UnsafeBuffer(BufferUtil.allocateDirectAligned(imagesIn(s, count, per) * bytesPerImage, 64));
        }
        return new PixelSegments(buffers, per, bytesPerImage, count);
    }

    public static int imagesPerSegment(int bytesPerImage, int segmentBytes) {
        if (bytesPerImage > segmentBytes) {
            throw new IllegalArgumentException(
                    "one image of " + bytesPerImage + " bytes exceeds a segment of " + segmentBytes);
        }
        return segmentBytes / bytesPerImage;
    }

    public static int segmentCount(int count, int imagesPerSegment) {
        return (int) ((count + (long) imagesPerSegment - 1) / imagesPerSegment);
    }

    /** Images stored in segment {@code s}. */
    public static int imagesIn(int s, int count, int imagesPerSegment) {
        return Math.min(imagesPerSegment, count - s * imagesPerSegment);
    }

    public int count() {
        return count;
    }

    public int bytesPerImage() {
        return bytesPerImage;
    }

    public int segments() {
        return buffers.length;
    }

    /** The buffer holding image {@code i}. */
    public UnsafeBuffer buffer(int i) {
        return buffers[i / imagesPerSegment];
    }

    /** Byte offset of image {@code i} within {@link #buffer(int)}. */
    public int offset(int i) {
        return (i % imagesPerSegment) * bytesPerImage;
    }

    public void put(int i, byte[] src) {
        buffer(i).putBytes(offset(i), src, 0, bytesPerImage);
    }

    public void get(int i, byte[] dst, int off) {
        buffer(i).getBytes(offset(i), dst, off, bytesPerImage);
    }
}
