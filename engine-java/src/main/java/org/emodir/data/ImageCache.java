package org.emodir.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds or maps the decoded uint8 pixels of an ImageFolder. With a cache directory the pixels live
 * in a memory-mapped file (see {@link CacheHeader}) that is validated against the folder's count,
 * geometry and file-list fingerprint; a stale or broken file is rebuilt into a temp file, fsynced
 * and atomically renamed over it. Pixels are contiguous in the file and mapped in
 * {@link PixelSegments} of at most {@code segmentBytes}, so caches beyond 2 GiB work.
 */
final class ImageCache {
    public static final String SUFFIX = ".emoimg";

    private ImageCache() {}

    /** Decodes into off-heap memory, no file. */
    public static ImageDataset decodeInMemory(String name, ImageFolderIndex index, ImageGeometry g, int threads) {
        PixelSegments pixels =
                PixelSegments.allocate(index.size(), g.pixelsPerImage(), PixelSegments.MAX_SEGMENT_BYTES);
        ParallelDecoder.decodeAll(index, g, pixels, threads);
        return new ImageDataset(name, index.classNames(), index.labels(), g, pixels, false);
    }

    /** Maps {@code cacheDir/name.emoimg} if it matches the folder, else decodes and writes it first. */
    public static ImageDataset openOrBuild(
            String name, ImageFolderIndex index, ImageGeometry g, Path cacheDir, int threads) {
        return openOrBuild(name, index, g, cacheDir, threads, PixelSegments.MAX_SEGMENT_BYTES);
    }

    /** As above with a chosen mapping segment size (small values let tests exercise several segments). */
    static ImageDataset openOrBuild(
            String name, ImageFolderIndex index, ImageGeometry g, Path cacheDir, int threads, int segmentBytes) {
        Path file = cacheDir.resolve(name + SUFFIX);
        long fingerprint = index.fingerprint(g);
        boolean fromCache = true;
        if (staleReason(file, index, g, fingerprint) != null) {
            build(file, index, g, fingerprint, threads, segmentBytes);
            fromCache = false;
        }
        String reason = staleReason(file, index, g, fingerprint);
        if (reason != null) {
            throw new DatasetException(file + ": cache invalid right after building it: " + reason);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int[] labels = readLabels(file, ch, index);
            PixelSegments pixels = map(ch, FileChannel.MapMode.READ_ONLY, index.size(), g, segmentBytes);
            return new ImageDataset(name, index.classNames(), labels, g, pixels, fromCache);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot map image cache: " + e.getMessage(), e);
        }
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
            ByteBuffer head = ByteBuffer.allocateDirect(CacheHeader.LENGTH);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // read the whole header
            }
            CacheHeader header = new CacheHeader().wrap(new UnsafeBuffer(head));
            return header.mismatch(index.size(), g, index.classNames().size(), fingerprint, length);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static void build(
            Path file, ImageFolderIndex index, ImageGeometry g, long fingerprint, int threads, int segmentBytes) {
        int n = index.size();
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer head = ch.map(FileChannel.MapMode.READ_WRITE, 0, CacheHeader.pixelsOffset(n));
                UnsafeBuffer headBuf = new UnsafeBuffer(head);
                int labelsAt = (int) CacheHeader.labelsOffset();
                for (int i = 0; i < n; i++) {
                    headBuf.putInt(labelsAt + 4 * i, index.labels()[i], ByteOrder.LITTLE_ENDIAN);
                }
                PixelSegments pixels = map(ch, FileChannel.MapMode.READ_WRITE, n, g, segmentBytes);
                ParallelDecoder.decodeAll(index, g, pixels, threads);
                CacheHeader header = new CacheHeader().wrap(headBuf);
                header.writeBody(n, g, index.classNames().size(), fingerprint);
                ch.force(true);
                header.writeMagic(); // only after every pixel is on disk
                head.force();
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

    /**
     * Maps the pixel area as segments (READ_WRITE also grows the file to its full length). Mappings
     * stay valid after the channel closes; each UnsafeBuffer keeps its MappedByteBuffer reachable.
     */
    private static PixelSegments map(FileChannel ch, FileChannel.MapMode mode, int n, ImageGeometry g, int segmentBytes)
            throws IOException {
        int bytes = g.pixelsPerImage();
        int per = PixelSegments.imagesPerSegment(bytes, segmentBytes);
        UnsafeBuffer[] buffers = new UnsafeBuffer[PixelSegments.segmentCount(n, per)];
        long at = CacheHeader.pixelsOffset(n);
        for (int s = 0; s < buffers.length; s++) {
            long size = (long) PixelSegments.imagesIn(s, n, per) * bytes;
            buffers[s] = new UnsafeBuffer(ch.map(mode, at, size));
            at += size;
        }
        return new PixelSegments(buffers, per, bytes, n);
    }

    private static int[] readLabels(Path file, FileChannel ch, ImageFolderIndex index) throws IOException {
        int n = index.size();
        UnsafeBuffer lb = new UnsafeBuffer(ch.map(FileChannel.MapMode.READ_ONLY, CacheHeader.labelsOffset(), 4L * n));
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = lb.getInt(4 * i, ByteOrder.LITTLE_ENDIAN);
            if (labels[i] != index.labels()[i]) {
                throw new DatasetException(file + ": label of image " + i + " is " + labels[i] + " but the folder says "
                        + index.labels()[i]);
            }
        }
        return labels;
    }
}
