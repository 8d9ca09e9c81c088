package org.emodir.eval;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over off-heap channel masks, {@code byte[population][numGenes]}, individual-major; a nonzero
 * byte keeps the channel: individual {@code i}'s gene {@code g} is byte {@code i * numGenes + g}, no padding.
 * This is the exact buffer the native evaluators read. A new instance keeps every channel of every individual.
 */
public final class PopulationMasks {
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int numGenes;

    public PopulationMasks(int capacity, int numGenes) {
        if (capacity <= 0 || numGenes <= 0) {
            throw new IllegalArgumentException(
                    "capacity and numGenes must be positive, got " + capacity + ", " + numGenes);
        }
        long bytes = (long) capacity * numGenes;
        if (bytes > Integer.MAX_VALUE) {
            throw new MemoryBudgetException("masks of " + capacity + " individuals x " + numGenes + " genes need "
                    + bytes + " bytes, more than one direct buffer holds");
        }
        MemoryBudget.host().requireAllocation("masks of " + capacity + " individuals x " + numGenes + " genes", bytes);
        this.capacity = capacity;
        this.numGenes = numGenes;
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect((int) bytes));
        buffer.setMemory(0, buffer.capacity(), (byte) 1);
    }

    public int capacity() {
        return capacity;
    }

    public int numGenes() {
        return numGenes;
    }

    public UnsafeBuffer buffer() {
        return buffer;
    }

    public boolean kept(int individual, int gene) {
        return buffer.getByte(index(individual, gene)) != 0;
    }

    public void set(int individual, int gene, boolean keep) {
        buffer.putByte(index(individual, gene), keep ? (byte) 1 : (byte) 0);
    }

    private int index(int individual, int gene) {
        if (individual < 0 || individual >= capacity || gene < 0 || gene >= numGenes) {
            throw new IndexOutOfBoundsException(
                    "individual " + individual + ", gene " + gene + " outside " + capacity + "x" + numGenes);
        }
        return individual * numGenes + gene;
    }
}
