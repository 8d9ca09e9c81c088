package org.emodir.run;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the 24-byte little-endian header that precedes every checkpoint payload:
 * magic, format version, payload length, CRC32 of the payload.
 */
final class CheckpointHeader {
    static final int MAGIC = 0x4b434d45; // "EMCK" in file byte order
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int LENGTH_OFFSET = 8;
    static final int CRC_OFFSET = 16;
    static final int LENGTH = 24;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    CheckpointHeader wrap(byte[] bytes) {
        buffer.wrap(bytes, 0, LENGTH);
        return this;
    }

    int magic() {
        return buffer.getInt(MAGIC_OFFSET, ORDER);
    }

    int version() {
        return buffer.getInt(VERSION_OFFSET, ORDER);
    }

    long payloadLength() {
        return buffer.getLong(LENGTH_OFFSET, ORDER);
    }

    long crc32() {
        return buffer.getLong(CRC_OFFSET, ORDER);
    }

    CheckpointHeader write(long payloadLength, long crc32) {
        buffer.putInt(MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putInt(VERSION_OFFSET, VERSION, ORDER);
        buffer.putLong(LENGTH_OFFSET, payloadLength, ORDER);
        buffer.putLong(CRC_OFFSET, crc32, ORDER);
        return this;
    }
}
