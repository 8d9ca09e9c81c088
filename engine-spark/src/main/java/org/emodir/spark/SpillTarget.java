package org.emodir.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A {@link JobPayload.Target} that holds the payload in memory up to {@code limit} bytes (a broadcast) and moves it to
 * {@code file} the moment it grows past that (the bytes so far, then everything after straight to the file), so a
 * large payload never sits in one Java buffer. The file is deleted on close unless {@link #keep} was called.
 */
final class SpillTarget implements JobPayload.Target, AutoCloseable {
    private final long limit;
    private final Path file;
    private byte[] memory = new byte[1 << 16];
    private long size;
    private FileChannel channel;
    private boolean keep;

    SpillTarget(long limit, Path file) {
        this.limit = Math.min(limit, Integer.MAX_VALUE - 64); // what one Java array (a broadcast's value) holds
        this.file = file;
    }

    @Override
    public void write(ByteBuffer b) throws IOException {
        int n = b.remaining();
        if (channel == null && size + n > limit) spill();
        if (channel != null) {
            writeFully(b, size);
        } else {
            if (size + n > memory.length) {
                memory = Arrays.copyOf(memory, (int) Math.min(limit, Math.max(size + n, 2L * memory.length)));
            }
            b.get(memory, (int) size, n);
        }
        size += n;
    }

    @Override
    public void writeAt(long position, ByteBuffer b) throws IOException {
        if (position + b.remaining() > size) throw new IllegalArgumentException("writeAt past the end");
        if (channel != null) writeFully(b, position);
        else b.get(memory, (int) position, b.remaining());
    }

    /** True when the payload went to the file. */
    boolean spilled() {
        return channel != null;
    }

    /** The payload held in memory (not spilled). */
    byte[] bytes() {
        if (channel != null) throw new IllegalStateException("the payload is in " + file);
        return memory.length == size ? memory : Arrays.copyOf(memory, (int) size);
    }

    /** Keeps the file (the payload is shipped through it); otherwise close deletes it. */
    void keep() throws IOException {
        if (channel != null) channel.force(false);
        keep = true;
    }

    private void spill() throws IOException {
        channel = FileChannel.open(
                file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        writeFully(ByteBuffer.wrap(memory, 0, (int) size), 0);
        memory = null;
    }

    private void writeFully(ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) at += channel.write(b, at);
    }

    @Override
    public void close() throws IOException {
        if (channel == null) return;
        channel.close();
        if (!keep) Files.deleteIfExists(file);
    }
}
