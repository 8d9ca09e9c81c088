package org.emodir.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.emodir.model.ArchitectureFile;
import org.emodir.model.PrunedModel;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;

/**
 * Measured inference time of a model on this CPU: forward passes on random normalised-range input, warm-up runs, then
 * the median of timed runs: at most {@code repeats}, fewer (at least {@value #MIN_REPEATS}) when one run is so slow
 * that they would take more than {@value #BUDGET_MS} ms. FLOPs alone often buy no latency; this is what the report
 * quotes next to them.
 *
 * @param engine       {@code libtorch} or {@code onnxruntime}
 * @param medianMs     median wall milliseconds of one forward pass of {@code batch} images
 * @param imagesPerSec {@code batch / median}
 */
public record Latency(String engine, int batch, int repeats, double medianMs, double imagesPerSec) {
    private static final int WARMUP = 2;
    private static final int MIN_REPEATS = 3;
    private static final double BUDGET_MS = 3000;

    /** Times {@code run} (warm-up first); the repeat count shrinks for slow runs. */
    private static double[] time(int repeats, Runnable run) {
        double first = 0;
        for (int i = 0; i < WARMUP; i++) {
            long t0 = System.nanoTime();
            run.run();
            first = (System.nanoTime() - t0) / 1e6;
        }
        int n = Math.max(MIN_REPEATS, Math.min(repeats, (int) (BUDGET_MS / Math.max(first, 1e-3))));
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    /** libtorch CPU (eval mode, no grad), the engine emodir trains and evaluates with. */
    public static Latency torch(PrunedModel model, int batch, int repeats) {
        int size = ArchitectureFile.inputSize(model.spec());
        float[] x = input(batch, model.spec().inChannels(), size);
        try (PointerScope scope = new PointerScope();
                NoGradGuard g = new NoGradGuard();
                TorchNet net = model.toTorchNet()) {
            Tensor in = Tensors.fromFloats(x, batch, model.spec().inChannels(), size, size);
            return of("libtorch", batch, time(repeats, () -> {
                try (PointerScope inner = new PointerScope()) {
                    net.forward(in);
                }
            }));
        }
    }

    /** onnxruntime CPU on the exported model, {@code threads} intra-op threads. */
    public static Latency onnx(byte[] onnx, int channels, int size, int batch, int repeats, int threads) {
        float[] x = input(batch, channels, size);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            try (OrtSession s = env.createSession(onnx, o);
                    OnnxTensor t = OnnxTensor.createTensor(
                            env, FloatBuffer.wrap(x), new long[] {batch, channels, size, size})) {
                return of("onnxruntime", batch, time(repeats, () -> {
                    try (OrtSession.Result r = s.run(Map.of(OnnxExporter.INPUT, t))) {
                        r.get(0);
                    } catch (OrtException e) {
                        throw new IllegalStateException(
                                "onnxruntime failed on the exported model: " + e.getMessage(), e);
                    }
                }));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime could not load the exported model: " + e.getMessage(), e);
        }
    }

    private static Latency of(String engine, int batch, double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Latency(engine, batch, n, median, batch * 1000.0 / median);
    }

    private static float[] input(int batch, int channels, int size) {
        Random r = new Random(1);
        float[] x = new float[batch * channels * size * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }
}
