package org.emodir.data;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds or maps the decoded uint8 pixels of an ImageFolder. With a cache directory the pixels live
 * in a memory-mapped file (see {@link CacheHeader}) that is validated against the folder's count,
 * geometry and file-list fingerprint; a stale or broken file is rebuilt into a temp file, fsynced
 * and atomically renamed over it. One mapping is limited to 2 GiB (Agrona buffers are int-indexed).
 */
public final class ImageCache {
    public static final String SUFFIX = ".emoimg";

    private ImageCache() {}

    /** Decodes into off-heap memory, no file. */
    public static ImageDataset decodeInMemory(String name, ImageFolderIndex index, ImageGeometry g, int threads) {
        long bytes = checkedSize(name, index.size(), g);
        UnsafeBuffer pixels = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int) Math.max(bytes, 1), 64));
        ParallelDecoder.decodeAll(index, g, pixels, 0, threads);
        return new ImageDataset(name, index.classNames(), index.labels(), g, pixels, false);
    }

    /** Maps {@code cacheDir/name.emoimg} if it matches the folder, else decodes and writes it first. */
    public static ImageDataset openOrBuild(String name, ImageFolderIndex index, ImageGeometry g, Path cacheDir, int threads) {
        checkedSize(name, index.size(), g);
        Path file = cacheDir.resolve(name + SUFFIX);
        long fingerprint = index.fingerprint(g);
        boolean fromCache = true;
        if (staleReason(file, index, g, fingerprint) != null) {
            build(file, index, g, fingerprint, threads);
            fromCache = false;
        }
        String reason = staleReason(file, index, g, fingerprint);
        if (reason != null) {
            throw new DatasetException(file + ": cache invalid right after building it: " + reason);
        }
        return map(name, file, index, g, fromCache);
    }

    /** Why {@code file} cannot be used for this dataset, or null when it can. */
    static String staleReason(Path file, ImageFolderIndex index, ImageGeometry g, long fingerprint) {
        if (!Files.isRegularFile(file)) {
            return "missing";
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            if (length < CacheHeader.LENGTH) {
                return "shorter than its header";
            }
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocateDirect(CacheHeader.LENGTH);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // read the whole header
            }
            CacheHeader header = new CacheHeader().wrap(new UnsafeBuffer(head));
            return header.mismatch(index.size(), g, index.classNames().size(), fingerprint, length);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static void build(Path file, ImageFolderIndex index, ImageGeometry g, long fingerprint, int threads) {
        int n = index.size();
        long length = CacheHeader.fileLength(n, g);
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
                UnsafeBuffer buf = new UnsafeBuffer(mapped);
                int labelsAt = (int) CacheHeader.labelsOffset();
                for (int i = 0; i < n; i++) {
                    buf.putInt(labelsAt + 4 * i, index.labels()[i], ByteOrder.LITTLE_ENDIAN);
                }
                ParallelDecoder.decodeAll(index, g, buf, (int) CacheHeader.pixelsOffset(n), threads);
                CacheHeader header = new CacheHeader().wrap(buf);
                header.writeBody(n, g, index.classNames().size(), fingerprint);
                mapped.force();
                header.writeMagic();
                mapped.force();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot write image cache: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is what matters
                }
            }
        }
    }

    private static ImageDataset map(String name, Path file, ImageFolderIndex index, ImageGeometry g, boolean fromCache) {
        int n = index.size();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pixelsAt = CacheHeader.pixelsOffset(n);
            long bytes = (long) n * g.pixelsPerImage();
            // the mapping stays valid after the channel closes; UnsafeBuffer keeps the MappedByteBuffer reachable
            MappedByteBuffer pixels = ch.map(FileChannel.MapMode.READ_ONLY, pixelsAt, Math.max(bytes, 0));
            MappedByteBuffer labelBytes = ch.map(FileChannel.MapMode.READ_ONLY, CacheHeader.labelsOffset(), 4L * n);
            UnsafeBuffer lb = new UnsafeBuffer(labelBytes);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = lb.getInt(4 * i, ByteOrder.LITTLE_ENDIAN);
                if (labels[i] != index.labels()[i]) {
                    throw new DatasetException(file + ": label of image " + i + " is " + labels[i]
                            + " but the folder says " + index.labels()[i]);
                }
            }
            return new ImageDataset(name, index.classNames(), labels, g, new UnsafeBuffer(pixels), fromCache);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot map image cache: " + e.getMessage(), e);
        }
    }

    private static long checkedSize(String name, int n, ImageGeometry g) {
        long bytes = (long) n * g.pixelsPerImage();
        if (CacheHeader.pixelsOffset(n) + bytes > Integer.MAX_VALUE) {
            throw new DatasetException(name + ": " + n + " images of " + g + " need " + bytes
                    + " bytes, more than one 2 GiB buffer");
        }
        return bytes;
    }
}
