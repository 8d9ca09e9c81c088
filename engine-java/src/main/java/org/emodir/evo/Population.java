package org.emodir.evo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap gene matrix, one row per individual.
 *
 * <p>Layout (native code may read it through {@link #address()}): row {@code r} starts at byte
 * {@code address() + r * rowStride()}; gene {@code g} of that row is at byte offset
 * {@code g * encoding().bytesPerGene}. BINARY genes are single bytes holding exactly 0 or 1;
 * REAL genes are native-order float64. {@link #rowStride()} is the gene bytes rounded up to a
 * multiple of 8 so every row, and every REAL gene, is 8-byte aligned; padding bytes are zero.
 * The block itself is 64-byte aligned.
 */
public final class Population {
    private static final int ROW_ALIGNMENT = 8;
    private static final int BLOCK_ALIGNMENT = 64;

    private final Encoding encoding;
    private final int capacity;
    private final int genes;
    private final int rowStride;
    private final ByteBuffer backing; // keeps the direct memory alive as long as this object
    private final UnsafeBuffer buffer;

    public Population(Encoding encoding, int capacity, int genes) {
        if (capacity <= 0 || genes <= 0) {
            throw new IllegalArgumentException(
                    "population needs capacity > 0 and genes > 0, got capacity=" + capacity + " genes=" + genes);
        }
        long stride = align((long) genes * encoding.bytesPerGene, ROW_ALIGNMENT);
        long bytes = stride * capacity;
        if (bytes > Integer.MAX_VALUE - BLOCK_ALIGNMENT) {
            throw new IllegalArgumentException("population of " + capacity + " x " + genes + " " + encoding
                    + " genes needs " + bytes + " bytes, more than one buffer holds");
        }
        this.encoding = encoding;
        this.capacity = capacity;
        this.genes = genes;
        this.rowStride = (int) stride;
        this.backing = BufferUtil.allocateDirectAligned((int) align(bytes, BLOCK_ALIGNMENT), BLOCK_ALIGNMENT)
                .order(ByteOrder.nativeOrder());
        this.buffer = new UnsafeBuffer(backing, 0, (int) bytes);
    }

    private static long align(long value, int alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    public Encoding encoding() {
        return encoding;
    }

    public int capacity() {
        return capacity;
    }

    public int genes() {
        return genes;
    }
    /** Bytes between the starts of consecutive rows. */
    public int rowStride() {
        return rowStride;
    }
    /** Native address of row 0, gene 0. */
    public long address() {
        return buffer.addressOffset();
    }
    /** The whole block; rows as documented in the class comment. */
    public UnsafeBuffer buffer() {
        return buffer;
    }

    public int bit(int row, int gene) {
        return buffer.getByte(row * rowStride + gene);
    }

    public void setBit(int row, int gene, int value) {
        buffer.putByte(row * rowStride + gene, (byte) value);
    }

    public double real(int row, int gene) {
        return buffer.getDouble(row * rowStride + (gene << 3));
    }

    public void setReal(int row, int gene, double value) {
        buffer.putDouble(row * rowStride + (gene << 3), value);
    }

    /** Copies one whole row (genes and padding) into {@code dst}, which must have the same shape. */
    public void copyRow(int srcRow, Population dst, int dstRow) {
        dst.buffer.putBytes(dstRow * rowStride, buffer, srcRow * rowStride, rowStride);
    }

    public boolean sameShape(Population other) {
        return encoding == other.encoding && genes == other.genes;
    }
}
