package org.emodir.features;

import java.io.IOException;
import java.nio.channels.FileChannel;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Features (float32 or bfloat16, {@link FeatureStorage}) of {@code images} images at several cuts, each cut split into segments of the same {@code
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
    private final FeatureStorage storage;
    private final UnsafeBuffer[][] buffers;
    private final UnsafeBuffer[] whole;

    private FeatureSegments(
            int images,
            int imagesPerSegment,
            int[] floatsPerImage,
            FeatureStorage storage,
            UnsafeBuffer[][] buffers,
            UnsafeBuffer[] whole) {
        this.images = images;
        this.storage = storage;
        this.imagesPerSegment = imagesPerSegment;
        this.floatsPerImage = floatsPerImage.clone();
        this.buffers = buffers;
        this.whole = whole;
    }

    /** Cut {@code c} as stored in one buffer, or null when it is over 2 GiB. */
    UnsafeBuffer whole(int slot) {
        return whole[slot];
    }

    FeatureStorage storage() {
        return storage;
    }

    /** Views of {@code all} (which keeps the memory reachable) for each segment. */
    private static UnsafeBuffer[] views(UnsafeBuffer all, int images, int imagesPerSegment, int floats, int bytesPer) {
        UnsafeBuffer[] v = new UnsafeBuffer[segmentCount(images, imagesPerSegment)];
        for (int s = 0; s < v.length; s++) {
            long bytes = (long) imagesIn(s, images, imagesPerSegment) * floats * bytesPer;
            long at = (long) s * imagesPerSegment * floats * bytesPer;
            v[s] = new UnsafeBuffer(all, (int) at, (int) bytes);
        }
        return v;
    }

    private static long cutBytes(int images, int floats, int bytesPer) {
        return (long) images * floats * bytesPer;
    }

    /**
     * Images per segment so that no cut's segment exceeds {@code segmentBytes} (at least one image), counted at float32
     * width whatever the storage: a segment is decoded to float32 for the engine, and must fit one buffer then too.
     */
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
    static FeatureSegments allocate(int images, int imagesPerSegment, int[] floatsPerImage, FeatureStorage storage) {
        int segments = segmentCount(images, imagesPerSegment);
        int bytesPer = storage.bytes();
        UnsafeBuffer[][] b = new UnsafeBuffer[floatsPerImage.length][segments];
        UnsafeBuffer[] whole = new UnsafeBuffer[floatsPerImage.length];
        for (int c = 0; c < b.length; c++) {
            long all = cutBytes(images, floatsPerImage[c], bytesPer);
            if (all <= MAX_SEGMENT_BYTES) {
                whole[c] =
                        new UnsafeBuffer(BufferUtil.allocateDirectAligned((int) Math.max(all, 64), 64), 0, (int) all);
                b[c] = views(whole[c], images, imagesPerSegment, floatsPerImage[c], bytesPer);
                continue;
            }
            for (int s = 0; s < segments; s++) {
                int bytes =
                        Math.toIntExact((long) imagesIn(s, images, imagesPerSegment) * floatsPerImage[c] * bytesPer);
                b[c][s] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(bytes, 64), 64), 0, bytes);
            }
        }
        return new FeatureSegments(images, imagesPerSegment, floatsPerImage, storage, b, whole);
    }

    /** Maps cut {@code c}'s floats from {@code offsets[c]} of {@code ch} (READ_WRITE grows the file as needed). */
    static FeatureSegments map(
            FileChannel ch,
            FileChannel.MapMode mode,
            long[] offsets,
            int images,
            int imagesPerSegment,
            int[] floatsPerImage,
            FeatureStorage storage)
            throws IOException {
        int segments = segmentCount(images, imagesPerSegment);
        int bytesPer = storage.bytes();
        UnsafeBuffer[][] b = new UnsafeBuffer[floatsPerImage.length][segments];
        UnsafeBuffer[] whole = new UnsafeBuffer[floatsPerImage.length];
        for (int c = 0; c < b.length; c++) {
            long at = offsets[c];
            long all = cutBytes(images, floatsPerImage[c], bytesPer);
            if (all <= MAX_SEGMENT_BYTES) {
                whole[c] = new UnsafeBuffer(ch.map(mode, at, all).order(java.nio.ByteOrder.nativeOrder()));
                b[c] = views(whole[c], images, imagesPerSegment, floatsPerImage[c], bytesPer);
                continue;
            }
            for (int s = 0; s < segments; s++) {
                long bytes = (long) imagesIn(s, images, imagesPerSegment) * floatsPerImage[c] * bytesPer;
                b[c][s] = new UnsafeBuffer(ch.map(mode, at, bytes).order(java.nio.ByteOrder.nativeOrder()));
                at += bytes;
            }
        }
        return new FeatureSegments(images, imagesPerSegment, floatsPerImage, storage, b, whole);
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

    /** Segment {@code s} of the cut at {@code slot} as stored. */
    UnsafeBuffer segment(int slot, int s) {
        return buffers[slot][s];
    }

    /** Writes image {@code image}'s feature at {@code slot} from {@code src[from ..]}. */
    void put(int slot, int image, float[] src, int from) {
        int per = floatsPerImage[slot];
        UnsafeBuffer dst = buffers[slot][image / imagesPerSegment];
        long base = (long) (image % imagesPerSegment) * per;
        for (int i = 0; i < per; i++) storage.put(dst, base + i, src[from + i]);
    }

    /** Value {@code k} (64-bit, over all images) of the feature at {@code slot}, as float32. */
    float get(int slot, long k) {
        long perSegment = (long) imagesPerSegment * floatsPerImage[slot];
        return storage.get(buffers[slot][(int) (k / perSegment)], k % perSegment);
    }

    /**
     * Images {@code first .. first+count} of the cut at {@code slot} as float32 into {@code dst} (which holds them):
     * copied or decoded segment by segment.
     */
    void read(int slot, int first, int count, UnsafeBuffer dst) {
        int per = floatsPerImage[slot];
        int done = 0;
        while (done < count) {
            int image = first + done;
            int s = image / imagesPerSegment, at = image % imagesPerSegment;
            int n = Math.min(count - done, imagesIn(s) - at);
            UnsafeBuffer out = new UnsafeBuffer(dst, (int) ((long) done * per * Float.BYTES), n * per * Float.BYTES);
            storage.decode(buffers[slot][s], (long) at * per, Math.multiplyExact(n, per), out);
            done += n;
        }
    }

    /** Images {@code first .. first+count} of the cut at {@code slot} as float32 without a copy, or null if none is possible. */
    UnsafeBuffer view(int slot, int first, int count) {
        if (storage != FeatureStorage.FP32) return null;
        int per = floatsPerImage[slot];
        long bytes = (long) count * per * Float.BYTES;
        if (whole[slot] != null)
            return new UnsafeBuffer(whole[slot], (int) ((long) first * per * Float.BYTES), (int) bytes);
        int s = first / imagesPerSegment, at = first % imagesPerSegment;
        if (at + count > imagesIn(s)) return null;
        return new UnsafeBuffer(buffers[slot][s], (int) ((long) at * per * Float.BYTES), (int) bytes);
    }
}
