package org.emodir.data;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/** Decodes every file of an {@link ImageFolderIndex} into uint8 CHW segments, across threads. */
final class ParallelDecoder {
    private ParallelDecoder() {}

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Decodes image {@code i} of {@code index} into image {@code i} of {@code dst}; the first bad image throws. */
    public static void decodeAll(ImageFolderIndex index, ImageGeometry g, PixelSegments dst, int threads) {
        decodeAll(index, g, dst, threads, false);
    }

    /**
     * As above; with {@code skipBad} an image that fails to decode is left zero and reported instead: the answer maps
     * its index to the reason (empty when all decoded).
     */
    public static Map<Integer, String> decodeAll(
            ImageFolderIndex index, ImageGeometry g, PixelSegments dst, int threads, boolean skipBad) {
        int per = g.pixelsPerImage();
        boolean turbo = NativeJpegDecoder.selected();
        ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[per]);
        Map<Integer, String> bad = new ConcurrentSkipListMap<>();
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> IntStream.range(0, index.size()).parallel().forEach(i -> {
                        byte[] img = scratch.get();
                        try {
                            if (turbo) NativeJpegDecoder.decode(index.files().get(i), g, img, 0);
                            else ImageDecoder.decode(index.files().get(i), g, img, 0);
                        } catch (DatasetException e) {
                            if (!skipBad) throw e;
                            bad.put(i, e.getMessage());
                            return;
                        }
                        dst.put(i, img);
                    }))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while decoding " + index.root(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DatasetException de) {
                throw new DatasetException(
                        de.getMessage() + (skipBad ? "" : " (use --skip-bad-images to leave bad images out)"), de);
            }
            throw new DatasetException(index.root() + ": decoding failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        return bad;
    }

    /** Reasons as a list, in index order. */
    static List<String> reasons(Map<Integer, String> bad) {
        return List.copyOf(bad.values());
    }
}
