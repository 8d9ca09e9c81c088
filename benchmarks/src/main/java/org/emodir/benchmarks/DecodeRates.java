package org.emodir.benchmarks;

import java.nio.file.Path;
import java.util.List;
import org.emodir.data.DataDirs;
import org.emodir.data.ImageDecoder;
import org.emodir.data.ImageFolderIndex;
import org.emodir.data.ImageGeometry;
import org.emodir.data.NativeJpegDecoder;

/**
 * Interleaved single-thread decode rates at ImageNet geometry (256 -> centre 224) on the same 64 imagenet-sample
 * files as {@link DataLoaderBenchmark}: each round times every decoder once, so on a shared, loaded machine the
 * decoders see the same load; prints every round and the per-decoder median in images/s.
 */
public final class DecodeRates {
    private DecodeRates() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        ImageFolderIndex index = ImageFolderIndex.scan(DataDirs.imagenetSample());
        List<Path> files = java.util.stream.IntStream.range(0, 64)
                .mapToObj(i -> index.files().get(i * 97 % index.size()))
                .toList();
        ImageGeometry g = ImageGeometry.IMAGENET_EVAL;
        byte[] px = new byte[g.pixelsPerImage()];
        String[] names = {"imageio", "turbo-full", "turbo-any", "turbo-pow2"}; // then DctScaling order
        double[][] rates = new double[names.length][rounds];
        for (int r = -1; r < rounds; r++) { // round -1 warms up
            for (int d = 0; d < names.length; d++) {
                long t = System.nanoTime();
                for (Path f : files) {
                    if (d == 0) ImageDecoder.decode(f, g, px, 0);
                    else NativeJpegDecoder.decode(f, g, px, 0, NativeJpegDecoder.DctScaling.values()[d - 1]);
                }
                if (r >= 0) rates[d][r] = files.size() / ((System.nanoTime() - t) / 1e9);
            }
        }
        for (int d = 0; d < names.length; d++) {
            double[] s = rates[d].clone();
            java.util.Arrays.sort(s);
            System.out.printf(
                    "%-11s median %6.1f images/s, rounds %s%n",
                    names[d],
                    s[rounds / 2],
                    java.util.Arrays.toString(java.util.Arrays.stream(rates[d])
                            .mapToLong(Math::round)
                            .toArray()));
        }
    }
}
