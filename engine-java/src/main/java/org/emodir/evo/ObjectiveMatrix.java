package org.emodir.evo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap results of evaluation, one row per individual, row-major native-order float64:
 * {@code numObjectives} objective values (all minimised) followed by {@code numConstraints}
 * constraint violations. A violation is {@code <= 0} when the constraint holds and the amount by
 * which it is broken otherwise (e.g. {@code flops - budget}). Row {@code r} starts at byte
 * {@code address() + r * rowStride()}.
 */
public final class ObjectiveMatrix {
    private final int capacity;
    private final int numObjectives;
    private final int numConstraints;
    private final int rowStride;
    private final ByteBuffer backing; // keeps the direct memory alive
    private final UnsafeBuffer buffer;

    public ObjectiveMatrix(int capacity, int numObjectives, int numConstraints) {
        if (capacity <= 0 || numObjectives <= 0 || numConstraints < 0) {
            throw new IllegalArgumentException("objective matrix needs capacity > 0, objectives > 0, constraints >= 0;"
                    + " got " + capacity + ", " + numObjectives + ", " + numConstraints);
        }
        this.capacity = capacity;
        this.numObjectives = numObjectives;
        this.numConstraints = numConstraints;
        this.rowStride = (numObjectives + numConstraints) * Double.BYTES;
        int bytes = Math.multiplyExact(rowStride, capacity);
        this.backing = BufferUtil.allocateDirectAligned(Math.max(64, (bytes + 63) & ~63), 64)
                .order(ByteOrder.nativeOrder());
        this.buffer = new UnsafeBuffer(backing, 0, bytes);
    }

    public int capacity() {
        return capacity;
    }

    public int numObjectives() {
        return numObjectives;
    }

    public int numConstraints() {
        return numConstraints;
    }

    public int rowStride() {
        return rowStride;
    }

    public long address() {
        return buffer.addressOffset();
    }

    public UnsafeBuffer buffer() {
        return buffer;
    }

    public double objective(int row, int m) {
        return buffer.getDouble(row * rowStride + (m << 3));
    }

    public void setObjective(int row, int m, double value) {
        buffer.putDouble(row * rowStride + (m << 3), value);
    }

    public double constraint(int row, int c) {
        return buffer.getDouble(row * rowStride + ((numObjectives + c) << 3));
    }

    public void setConstraint(int row, int c, double violation) {
        buffer.putDouble(row * rowStride + ((numObjectives + c) << 3), violation);
    }

    public void copyRow(int srcRow, ObjectiveMatrix dst, int dstRow) {
        dst.buffer.putBytes(dstRow * rowStride, buffer, srcRow * rowStride, rowStride);
    }
}
