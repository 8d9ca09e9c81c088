package org.emodir.eval;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over an off-heap {@code float[population][3]} array the evaluators fill: per individual the
 * MSE against the reference output, the mean cross-entropy and the top-1 correct count (NaN when the
 * evaluation had no reference / no head and labels). Layout shared with emodir_native.h.
 */
public final class Objectives {
    public static final int COUNT = 3;
    public static final int MSE = 0;
    public static final int CROSS_ENTROPY = 1;
    public static final int TOP1 = 2;

    private final UnsafeBuffer buffer;
    private final int capacity;

    public Objectives(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        this.capacity = capacity;
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * COUNT * Float.BYTES).order(ByteOrder.nativeOrder()));
    }

    public int capacity() {
        return capacity;
    }

    public UnsafeBuffer buffer() {
        return buffer;
    }

    public float mse(int individual) {
        return get(individual, MSE);
    }

    public float crossEntropy(int individual) {
        return get(individual, CROSS_ENTROPY);
    }

    public float top1(int individual) {
        return get(individual, TOP1);
    }

    public float get(int individual, int objective) {
        return buffer.getFloat(offset(individual, objective));
    }

    public void set(int individual, int objective, float value) {
        buffer.putFloat(offset(individual, objective), value);
    }

    private int offset(int individual, int objective) {
        if (individual < 0 || individual >= capacity) {
            throw new IndexOutOfBoundsException("individual " + individual + " outside [0, " + capacity + ")");
        }
        return (individual * COUNT + objective) * Float.BYTES;
    }
}
