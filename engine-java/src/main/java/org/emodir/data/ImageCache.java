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
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
        return decodeInMemory(name, index, g, threads, false, List.of());
    }

    /**
     * As above; with {@code skipBad} images that fail to decode are left out and listed (after {@code skipped}, what
     * was already left out while indexing) in {@link ImageDataset#skipped()}.
     */
    static ImageDataset decodeInMemory(
            String name, ImageFolderIndex index, ImageGeometry g, int threads, boolean skipBad, List<String> skipped) {
        PixelSegments pixels =
                PixelSegments.allocate(index.size(), g.pixelsPerImage(), PixelSegments.MAX_SEGMENT_BYTES);
        Map<Integer, String> bad = ParallelDecoder.decodeAll(index, g, pixels, threads, skipBad);
        if (!bad.isEmpty()) {
            ImageFolderIndex kept = index.without(bits(bad));
            PixelSegments compact =
                    PixelSegments.allocate(kept.size(), g.pixelsPerImage(), PixelSegments.MAX_SEGMENT_BYTES);
            copyKept(pixels, bits(bad), compact, g);
            index = kept;
            pixels = compact;
        }
        return new ImageDataset(
                name, index.classNames(), index.labels(), g, pixels, false, concat(skipped, bad.values()));
    }

    /** Maps {@code cacheDir/name.emoimg} if it matches the folder, else decodes and writes it first. */
    public static ImageDataset openOrBuild(
            String name, ImageFolderIndex index, ImageGeometry g, Path cacheDir, int threads) {
        return openOrBuild(name, index, g, cacheDir, threads, PixelSegments.MAX_SEGMENT_BYTES);
    }

    /** As above with a chosen mapping segment size (small values let tests exercise several segments). */
    static ImageDataset openOrBuild(
            String name, ImageFolderIndex index, ImageGeometry g, Path cacheDir, int threads, int segmentBytes) {
        return openOrBuild(name, index, g, cacheDir, threads, segmentBytes, false, List.of());
    }

    /**
     * As above; with {@code skipBad} images that fail to decode are left out of the cache, listed in {@link
     * ImageDataset#skipped()} (after {@code skipped}), and remembered in {@code name.emoimg.skipped} (path, size,
     * modification time, reason) so that the next run maps the cache instead of decoding again; a listed file that
     * has changed since is tried again.
     */
    static ImageDataset openOrBuild(
            String name,
            ImageFolderIndex full,
            ImageGeometry g,
            Path cacheDir,
            int threads,
            int segmentBytes,
            boolean skipBad,
            List<String> skipped) {
        Path file = cacheDir.resolve(name + SUFFIX);
        Path sidecar = cacheDir.resolve(name + SUFFIX + ".skipped");
        ImageFolderIndex index = full;
        Collection<String> bad = List.of();
        if (skipBad) {
            Map<Integer, String> known = SkippedImages.read(sidecar, full);
            if (!known.isEmpty()) {
                index = full.without(bits(known));
                bad = known.values();
            }
        }
        long fingerprint = index.fingerprint(g);
        boolean fromCache = true;
        if (staleReason(file, index, g, fingerprint) != null) {
            Map<Integer, String> found = build(file, full, g, threads, segmentBytes, skipBad);
            index = full.without(bits(found));
            fingerprint = index.fingerprint(g);
            bad = found.values();
            if (skipBad) SkippedImages.write(sidecar, full, found);
            fromCache = false;
        }
        String reason = staleReason(file, index, g, fingerprint);
        if (reason != null) {
            throw new DatasetException(file + ": cache invalid right after building it: " + reason);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int[] labels = readLabels(file, ch, index);
            PixelSegments pixels = map(ch, FileChannel.MapMode.READ_ONLY, index.size(), g, segmentBytes);
            return new ImageDataset(name, index.classNames(), labels, g, pixels, fromCache, concat(skipped, bad));
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

    /**
     * Decodes {@code index} into {@code file} (atomically replaced); with {@code skipBad} the images that fail are left
     * out (copied into a second, compact temp file) and returned by index with their reasons.
     */
    private static Map<Integer, String> build(
            Path file, ImageFolderIndex index, ImageGeometry g, int threads, int segmentBytes, boolean skipBad) {
        List<Path> temps = new ArrayList<>();
        try {
            Files.createDirectories(file.getParent());
            Map<Integer, String>[] bad = new Map[1];
            Path tmp = write(file, index, g, segmentBytes, temps, pixels -> {
                bad[0] = ParallelDecoder.decodeAll(index, g, pixels, threads, skipBad);
            });
            if (!bad[0].isEmpty()) {
                BitSet drop = bits(bad[0]);
                ImageFolderIndex kept = index.without(drop);
                try (FileChannel src = FileChannel.open(tmp, StandardOpenOption.READ)) {
                    PixelSegments all = map(src, FileChannel.MapMode.READ_ONLY, index.size(), g, segmentBytes);
                    tmp = write(file, kept, g, segmentBytes, temps, pixels -> copyKept(all, drop, pixels, g));
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temps.remove(tmp);
            return bad[0];
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot write image cache: " + e.getMessage(), e);
        } finally {
            for (Path t : temps) {
                try {
                    Files.deleteIfExists(t);
                } catch (IOException ignored) {
                    // the original failure is what matters
                }
            }
        }
    }

    /** A complete cache of {@code index} in a new temp file beside {@code file} (added to {@code temps}). */
    private static Path write(
            Path file,
            ImageFolderIndex index,
            ImageGeometry g,
            int segmentBytes,
            List<Path> temps,
            Consumer<PixelSegments> fill)
            throws IOException {
        int n = index.size();
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        temps.add(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer head = ch.map(FileChannel.MapMode.READ_WRITE, 0, CacheHeader.pixelsOffset(n));
            UnsafeBuffer headBuf = new UnsafeBuffer(head);
            int labelsAt = (int) CacheHeader.labelsOffset();
            for (int i = 0; i < n; i++) {
                headBuf.putInt(labelsAt + 4 * i, index.labels()[i], ByteOrder.LITTLE_ENDIAN);
            }
            fill.accept(map(ch, FileChannel.MapMode.READ_WRITE, n, g, segmentBytes));
            CacheHeader header = new CacheHeader().wrap(headBuf);
            header.writeBody(n, g, index.classNames().size(), index.fingerprint(g));
            ch.force(true);
            header.writeMagic(); // only after every pixel is on disk
            head.force();
            ch.force(true);
        }
        return tmp;
    }

    /** Copies the images of {@code src} not in {@code drop}, in order, into {@code dst}. */
    private static void copyKept(PixelSegments src, BitSet drop, PixelSegments dst, ImageGeometry g) {
        byte[] img = new byte[g.pixelsPerImage()];
        int k = 0;
        for (int i = 0; i < src.count(); i++) {
            if (drop.get(i)) continue;
            src.get(i, img, 0);
            dst.put(k++, img);
        }
    }

    private static BitSet bits(Map<Integer, String> bad) {
        BitSet b = new BitSet();
        bad.keySet().forEach(b::set);
        return b;
    }

    private static List<String> concat(List<String> a, Collection<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
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
