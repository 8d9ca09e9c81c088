package org.emodir.run;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Writes files so that readers see either the old content or the complete new content, never a
 * half-written file: data goes to a temporary file in the same directory (rename is only atomic
 * within one file system), is fsynced, then renamed over the target; the directory is fsynced so
 * the rename survives a crash.
 */
public final class AtomicFiles {
    private static final int BUFFER_BYTES = 1 << 16;
    /** Test seam: runs after every committed write, so a test can kill the JVM at each checkpoint boundary. */
    private static volatile Consumer<Path> afterCommit = target -> {};

    private AtomicFiles() {}

    /**
     * Runs {@code hook} after every write has been committed (renamed and synced). For crash tests: a child JVM that
     * halts in the hook leaves exactly what a kill at that point would.
     */
    public static void afterCommit(Consumer<Path> hook) {
        afterCommit = hook == null ? target -> {} : hook;
    }

    /** Replaces {@code target} with whatever {@code body} writes. On any failure the target is untouched. */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean moved = false;
        try {
            try (FileChannel channel =
                    FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out =
                        new BufferedOutputStream(new NonClosing(Channels.newOutputStream(channel)), BUFFER_BYTES);
                body.accept(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
        afterCommit.accept(target);
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open directories; the rename itself already happened.
        }
    }

    /** Lets the body close "its" stream without closing the channel before we fsync it. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
