package org.emodir.features;

import java.io.IOException;
import java.nio.channels.FileChannel;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * float32 features of {@code images} images at several cuts, each cut split into segments of the same {@code
 * imagesPerSegment} images (so segment {@code s} of every cut covers the same images, and an evaluation can stream
 * input and reference segment by segment). Buffers and single file mappings are int-indexed: a cut under 2 GiB is
 * one buffer (its segments are views of it, so it can also be read whole), a larger cut one buffer per segment.
 */
final class FeatureSegments {
    /** The largest segment: under the 2 GiB an int-indexed buffer or a single mapping can hold. */
    static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE - 4095L;

    private final int images;
    private final int imagesPerSegment;
    private final int[] floatsPerImage;
    private final UnsafeBuffer[][] buffers;
    private final UnsafeBuffer[] whole;

    private FeatureSegments(
            int images, int imagesPerSegment, int[] floatsPerImage, UnsafeBuffer[][] buffers, UnsafeBuffer[] whole) {
        this.images = images;
        this.imagesPerSegment = imagesPerSegment;
        this.floatsPerImage = floatsPerImage.clone();
        this.buffers = buffers;
        this.whole = whole;
    }

    /** Cut {@code c} in one buffer, or null when it is over 2 GiB. */
    UnsafeBuffer whole(int slot) {
        return whole[slot];
    }

    /** Views of {@code all} (which keeps the memory reachable) for each segment. */
    private static UnsafeBuffer[] views(UnsafeBuffer all, int images, int imagesPerSegment, int floats) {
        UnsafeBuffer[] v = new UnsafeBuffer[segmentCount(images, imagesPerSegment)];
        for (int s = 0; s < v.length; s++) {
            long bytes = (long) imagesIn(s, images, imagesPerSegment) * floats * Float.BYTES;
            long at = (long) s * imagesPerSegment * floats * Float.BYTES;
            v[s] = new UnsafeBuffer(all, (int) at, (int) bytes);
        }
        return v;
    }

    private static long cutBytes(int images, int floats) {
        return (long) images * floats * Float.BYTES;
    }

    /** Images per segment so that no cut's segment exceeds {@code segmentBytes} (at least one image). */
    static int imagesPerSegment(int images, int[] floatsPerImage, long segmentBytes) {
        long widest = 0;
        for (int f : floatsPerImage) widest = Math.max(widest, (long) f * Float.BYTES);
        if (widest > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("one image's feature of " + widest + " bytes exceeds a segment");
        }
        long per = Math.max(1, Math.min(segmentBytes, MAX_SEGMENT_BYTES) / widest);
        return (int) Math.min(per, Math.max(1, images));
    }

    /** Zeroed direct memory. */
    static FeatureSegments allocate(int images, int imagesPerSegment, int[] floatsPerImage) {
        int segments = segmentCount(images, imagesPerSegment);
        UnsafeBuffer[][] b = new UnsafeBuffer[floatsPerImage.length][segments];
        UnsafeBuffer[] whole = new UnsafeBuffer[floatsPerImage.length];
        for (int c = 0; c < b.length; c++) {
            long all = cutBytes(images, floatsPerImage[c]);
            if (all <= MAX_SEGMENT_BYTES) {
                whole[c] =
                        new UnsafeBuffer(BufferUtil.allocateDirectAligned((int) Math.max(all, 64), 64), 0, (int) all);
                b[c] = views(whole[c], images, imagesPerSegment, floatsPerImage[c]);
                continue;
            }
            for (int s = 0; s < segments; s++) {
                int bytes =
                        Math.toIntExact((long) imagesIn(s, images, imagesPerSegment) * floatsPerImage[c] * Float.BYTES);
                b[c][s] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(bytes, 64), 64), 0, bytes);
            }
        }
        return new FeatureSegments(images, imagesPerSegment, floatsPerImage, b, whole);
    }

    /** Maps cut {@code c}'s floats from {@code offsets[c]} of {@code ch} (READ_WRITE grows the file as needed). */
    static FeatureSegments map(
            FileChannel ch,
            FileChannel.MapMode mode,
            long[] offsets,
            int images,
            int imagesPerSegment,
            int[] floatsPerImage)
            throws IOException {
        int segments = segmentCount(images, imagesPerSegment);
        UnsafeBuffer[][] b = new UnsafeBuffer[floatsPerImage.length][segments];
        UnsafeBuffer[] whole = new UnsafeBuffer[floatsPerImage.length];
        for (int c = 0; c < b.length; c++) {
            long at = offsets[c];
            long all = cutBytes(images, floatsPerImage[c]);
            if (all <= MAX_SEGMENT_BYTES) {
                whole[c] = new UnsafeBuffer(ch.map(mode, at, all).order(java.nio.ByteOrder.nativeOrder()));
                b[c] = views(whole[c], images, imagesPerSegment, floatsPerImage[c]);
                continue;
            }
            for (int s = 0; s < segments; s++) {
                long bytes = (long) imagesIn(s, images, imagesPerSegment) * floatsPerImage[c] * Float.BYTES;
                b[c][s] = new UnsafeBuffer(ch.map(mode, at, bytes).order(java.nio.ByteOrder.nativeOrder()));
                at += bytes;
            }
        }
        return new FeatureSegments(images, imagesPerSegment, floatsPerImage, b, whole);
    }

    static int segmentCount(int images, int imagesPerSegment) {
        return (int) ((images + (long) imagesPerSegment - 1) / imagesPerSegment);
    }

    static int imagesIn(int s, int images, int imagesPerSegment) {
        return Math.min(imagesPerSegment, images - s * imagesPerSegment);
    }

    int segments() {
        return buffers.length == 0 ? 0 : buffers[0].length;
    }

    int imagesPerSegment() {
        return imagesPerSegment;
    }

    int imagesIn(int s) {
        return imagesIn(s, images, imagesPerSegment);
    }

    UnsafeBuffer segment(int slot, int s) {
        return buffers[slot][s];
    }

    /** Writes image {@code image}'s feature at {@code slot} from {@code src[from ..]}. */
    void put(int slot, int image, float[] src, int from) {
        int per = floatsPerImage[slot];
        UnsafeBuffer dst = buffers[slot][image / imagesPerSegment];
        int base = (image % imagesPerSegment) * per * Float.BYTES;
        for (int i = 0; i < per; i++) dst.putFloat(base + i * Float.BYTES, src[from + i]);
    }

    /** Float {@code k} (64-bit, over all images) of the feature at {@code slot}. */
    float get(int slot, long k) {
        long perSegment = (long) imagesPerSegment * floatsPerImage[slot];
        return buffers[slot][(int) (k / perSegment)].getFloat((int) (k % perSegment) * Float.BYTES);
    }
}
