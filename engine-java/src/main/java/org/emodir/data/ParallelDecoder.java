package org.emodir.data;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/** Decodes every file of an {@link ImageFolderIndex} into uint8 CHW segments, across threads. */
final class ParallelDecoder {
    private ParallelDecoder() {}

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Decodes image {@code i} of {@code index} into image {@code i} of {@code dst}. */
    public static void decodeAll(ImageFolderIndex index, ImageGeometry g, PixelSegments dst, int threads) {
        int per = g.pixelsPerImage();
        ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[per]);
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> IntStream.range(0, index.size()).parallel().forEach(i -> {
                        byte[] img = scratch.get();
                        ImageDecoder.decode(index.files().get(i), g, img, 0);
                        dst.put(i, img);
                    }))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while decoding " + index.root(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DatasetException de) {
                throw new DatasetException(de.getMessage(), de);
            }
            throw new DatasetException(index.root() + ": decoding failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
    }
}
