package org.emodir.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.data.jpeg.TurboJpeg;

/**
 * Decodes JPEG files with libjpeg-turbo (through {@link TurboJpeg}) into planar CHW uint8 of a geometry: at
 * ImageNet geometry libjpeg may decode at a reduced k/8 scale whose shorter side still covers the resize (by default
 * 1/2, 1/4 or 1/8, e.g. a 1024x768 photo at 512x384) before the bilinear resize and crop. Files that are not JPEG (a PNG
 * named .JPEG) go to {@link ImageDecoder}. Each thread keeps its own off-heap buffers.
 */
public final class NativeJpegDecoder {
    /** {@code -Demodir.jpeg.decoder=native} makes the image caches decode with this class (default: imageio). */
    public static final String PROPERTY = "emodir.jpeg.decoder";

    /** How far libjpeg may downscale in the DCT domain before the bilinear resize. */
    public enum DctScaling {
        /** Full size, as javax.imageio decodes. */
        NONE,
        /** The smallest of 1/8 .. 8/8 whose shorter side covers the resize. */
        ANY,
        /** Only 1/8, 1/4, 1/2: the factors libjpeg-turbo has SIMD IDCTs for (PIL's draft mode picks from these). */
        POWER_OF_TWO
    }

    /** {@code EMODIR_JPEG_WHOLE_IMAGE} of emodir_jpeg.h. */
    private static final int WHOLE_IMAGE = 4;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private NativeJpegDecoder() {}

    /** True when {@value #PROPERTY} asks for native decoding. */
    public static boolean selected() {
        String v = System.getProperty(PROPERTY, "imageio").trim();
        if (v.equals("native")) return true;
        if (v.equals("imageio")) return false;
        throw new IllegalArgumentException("-D" + PROPERTY + " must be 'native' or 'imageio', got '" + v + "'");
    }

    /** Decodes {@code file} into {@code dst[off .. off + g.pixelsPerImage())}, CHW, with power-of-two DCT scaling. */
    public static void decode(Path file, ImageGeometry g, byte[] dst, int off) {
        decode(file, g, dst, off, DctScaling.POWER_OF_TWO);
    }

    /** As above with the given DCT-domain scaling. */
    public static void decode(Path file, ImageGeometry g, byte[] dst, int off, DctScaling scaling) {
        decode(file, g, dst, off, scaling, false);
    }

    /**
     * As above; {@code wholeImage} decodes every row and column instead of only the region the centre crop samples
     * (the same pixels, slower: for tests and benchmarks).
     */
    public static void decode(Path file, ImageGeometry g, byte[] dst, int off, DctScaling scaling, boolean wholeImage) {
        Buffers b = BUFFERS.get();
        int length;
        // Read straight into the direct buffer: no heap copy of every file.
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) throw new DatasetException(file + ": image file of " + size + " bytes");
            ByteBuffer bb = b.source((int) size);
            bb.clear().limit((int) size);
            while (bb.hasRemaining() && ch.read(bb) >= 0) {}
            length = bb.position();
        } catch (IOException e) {
            throw new DatasetException(file + ": unreadable image: " + e.getMessage(), e);
        }
        UnsafeBuffer src = b.sourceView;
        if (length < 2 || (src.getByte(0) & 0xFF) != 0xFF || (src.getByte(1) & 0xFF) != 0xD8) {
            ImageDecoder.decode(file, g, dst, off); // not a JPEG: PNG and the like
            return;
        }
        int out = g.pixelsPerImage();
        UnsafeBuffer pixels = b.pixels(out);
        int rc = TurboJpeg.emodir_jpeg_decode(
                src.addressOffset(),
                length,
                g.resizeShorterSide(),
                g.height(),
                g.width(),
                scaling.ordinal() | (wholeImage ? WHOLE_IMAGE : 0),
                pixels.addressOffset(),
                0L);
        if (rc != 0) {
            throw new DatasetException(file + ": corrupt image: " + TurboJpeg.emodir_jpeg_last_error());
        }
        pixels.getBytes(0, dst, off, out);
    }

    /** Per-thread direct buffers, grown to the largest file and image seen. */
    private static final class Buffers {
        private ByteBuffer source = BufferUtil.allocateDirectAligned(1 << 20, 64);
        private UnsafeBuffer sourceView = new UnsafeBuffer(source);
        private UnsafeBuffer pixels = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 16, 64));

        ByteBuffer source(int bytes) {
            if (source.capacity() < bytes) {
                source = grow(bytes);
                sourceView = new UnsafeBuffer(source);
            }
            return source;
        }

        UnsafeBuffer pixels(int bytes) {
            if (pixels.capacity() < bytes) pixels = new UnsafeBuffer(grow(bytes));
            return pixels;
        }

        private static ByteBuffer grow(int bytes) {
            return BufferUtil.allocateDirectAligned(Integer.highestOneBit(bytes - 1) << 1, 64);
        }
    }
}
