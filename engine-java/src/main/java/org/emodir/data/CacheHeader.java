package org.emodir.data;

import java.nio.ByteOrder;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over the fixed 64-byte header of an image cache file. Layout (little endian):
 * <pre>
 *  0 long magic        "EMOIMG01"
 *  8 int  version
 * 12 int  count        images
 * 16 int  channels
 * 20 int  height
 * 24 int  width
 * 28 int  numClasses
 * 32 long fingerprint  {@link ImageFolderIndex#fingerprint}
 * 40 long labelsOffset int32[count]
 * 48 long pixelsOffset uint8[count][channels][height][width], page aligned
 * 56 long fileLength
 * </pre>
 * The magic is written last when a cache is built, so an interrupted build never looks valid.
 */
final class CacheHeader {
    public static final int LENGTH = 64;
    public static final long MAGIC = 0x3130474d494f4d45L; // "EMOIMG01" as little-endian bytes
    public static final int VERSION = 1;
    public static final int PAGE = 4096;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private static final int MAGIC_AT = 0;
    private static final int VERSION_AT = 8;
    private static final int COUNT_AT = 12;
    private static final int CHANNELS_AT = 16;
    private static final int HEIGHT_AT = 20;
    private static final int WIDTH_AT = 24;
    private static final int CLASSES_AT = 28;
    private static final int FINGERPRINT_AT = 32;
    private static final int LABELS_AT = 40;
    private static final int PIXELS_AT = 48;
    private static final int LENGTH_AT = 56;

    private MutableDirectBuffer buffer;

    public CacheHeader wrap(MutableDirectBuffer buffer) {
        this.buffer = buffer;
        return this;
    }

    /** Offset of the labels array: right after the header. */
    public static long labelsOffset() {
        return LENGTH;
    }

    /** Offset of the pixels: after the labels, rounded up to a page. */
    public static long pixelsOffset(int count) {
        long end = LENGTH + 4L * count;
        return (end + PAGE - 1) / PAGE * PAGE;
    }

    public static long fileLength(int count, ImageGeometry g) {
        return pixelsOffset(count) + (long) count * g.pixelsPerImage();
    }

    /** Writes every field but the magic. */
    public void writeBody(int count, ImageGeometry g, int numClasses, long fingerprint) {
        buffer.putInt(VERSION_AT, VERSION, ORDER);
        buffer.putInt(COUNT_AT, count, ORDER);
        buffer.putInt(CHANNELS_AT, g.channels(), ORDER);
        buffer.putInt(HEIGHT_AT, g.height(), ORDER);
        buffer.putInt(WIDTH_AT, g.width(), ORDER);
        buffer.putInt(CLASSES_AT, numClasses, ORDER);
        buffer.putLong(FINGERPRINT_AT, fingerprint, ORDER);
        buffer.putLong(LABELS_AT, labelsOffset(), ORDER);
        buffer.putLong(PIXELS_AT, pixelsOffset(count), ORDER);
        buffer.putLong(LENGTH_AT, fileLength(count, g), ORDER);
    }

    public void writeMagic() {
        buffer.putLong(MAGIC_AT, MAGIC, ORDER);
    }

    /**
     * Why this header does not describe the expected dataset, or null when it does.
     */
    public String mismatch(int count, ImageGeometry g, int numClasses, long fingerprint, long actualFileLength) {
        if (buffer.getLong(MAGIC_AT, ORDER) != MAGIC) {
            return "bad magic (not a cache file or an interrupted build)";
        }
        if (buffer.getInt(VERSION_AT, ORDER) != VERSION) {
            return "version " + buffer.getInt(VERSION_AT, ORDER) + " != " + VERSION;
        }
        if (buffer.getInt(COUNT_AT, ORDER) != count) {
            return "count " + buffer.getInt(COUNT_AT, ORDER) + " != " + count;
        }
        if (buffer.getInt(CHANNELS_AT, ORDER) != g.channels()
                || buffer.getInt(HEIGHT_AT, ORDER) != g.height()
                || buffer.getInt(WIDTH_AT, ORDER) != g.width()) {
            return "geometry " + buffer.getInt(CHANNELS_AT, ORDER) + "x" + buffer.getInt(HEIGHT_AT, ORDER) + "x"
                    + buffer.getInt(WIDTH_AT, ORDER) + " != " + g.channels() + "x" + g.height() + "x" + g.width();
        }
        if (buffer.getInt(CLASSES_AT, ORDER) != numClasses) {
            return "classes " + buffer.getInt(CLASSES_AT, ORDER) + " != " + numClasses;
        }
        if (buffer.getLong(FINGERPRINT_AT, ORDER) != fingerprint) {
            return "file-list fingerprint differs";
        }
        if (buffer.getLong(LABELS_AT, ORDER) != labelsOffset()
                || buffer.getLong(PIXELS_AT, ORDER) != pixelsOffset(count)
                || buffer.getLong(LENGTH_AT, ORDER) != fileLength(count, g)
                || actualFileLength != fileLength(count, g)) {
            return "layout/length mismatch (file " + actualFileLength + " bytes, expected " + fileLength(count, g)
                    + ")";
        }
        return null;
    }
}
