package org.emodir.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.emodir.data.DataDirs;
import org.emodir.engine.NativeNetwork;
import org.emodir.engine.Precision;
import org.emodir.eval.MemoryBudget;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelPruner;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.model.TorchRuntime;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Inference of the pretrained ResNet-56 physically pruned to about half its MACs (every prunable group, the inner
 * channels of each block, keeps its L1-largest half), {@link #batch} random CIFAR-sized images per call,
 * {@link #threads} threads each:
 *
 * <ul>
 *   <li>{@code nativeEngine}: {@link NativeNetwork}, the whole network on the native CPU engine (what
 *       {@code emodir eval --engine native} runs); {@code nativeEngineBf16} the same with bf16 convs;
 *   <li>{@code libtorch}: {@link TorchNet#forward} in eval mode without gradients (what {@code emodir eval} runs).
 * </ul>
 *
 * Scores are calls per second: images/s = score x batch. Results: benchmarks/README-native.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "-Xmx4g"
        })
public class PrunedInferenceBenchmark {
    static final String WEIGHTS = "resnet56-4bfd9763.safetensors";

    @Param({"1", "128"})
    public int batch;

    /** Threads of both engines (libtorch reads it once per JVM: JMH forks per parameter combination). */
    @Param({"2"})
    public int threads;

    private NativeNetwork nativeNet;
    private NativeNetwork nativeNetBf16;
    private TorchNet torchNet;
    private UnsafeBuffer pixels;
    private Tensor images;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        System.setProperty(TorchRuntime.THREADS_PROPERTY, Integer.toString(threads));
        TorchRuntime.init();
        PrunedModel model = halfWidth(NetSpec.dense("resnet56", 10), weights());
        nativeNet = new NativeNetwork(
                NetSpecPrograms.network(model.spec(), model.weights(), 32, 32),
                threads,
                Precision.FP32,
                MemoryBudget.host());
        nativeNetBf16 = new NativeNetwork(
                NetSpecPrograms.network(model.spec(), model.weights(), 32, 32),
                threads,
                Precision.BF16,
                MemoryBudget.host());
        torchNet = model.toTorchNet();
        torchNet.train(false);
        Random rng = new Random(42);
        float[] x = new float[batch * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        pixels = new UnsafeBuffer(
                ByteBuffer.allocateDirect(x.length * Float.BYTES).order(ByteOrder.nativeOrder()));
        for (int i = 0; i < x.length; i++) pixels.putFloat(i * Float.BYTES, x[i]);
        images = Tensors.fromFloats(x, batch, 3, 32, 32);
        images.retainReference();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nativeNet.close();
        nativeNetBf16.close();
        torchNet.close();
        images.releaseReference();
    }

    @Benchmark
    public float nativeEngine() {
        return nativeNet.logits(pixels, batch)[0];
    }

    /** The same with bf16 convs ({@code eval --engine native --precision bf16}). */
    @Benchmark
    public float nativeEngineBf16() {
        return nativeNetBf16.logits(pixels, batch)[0];
    }

    @Benchmark
    public float libtorch() {
        try (PointerScope scope = new PointerScope();
                NoGradGuard g = new NoGradGuard()) {
            return Tensors.toFloats(torchNet.forward(images))[0];
        }
    }

    /** Every prunable group at half its width, keeping the channels with the largest L1 filter norm. */
    static PrunedModel halfWidth(NetSpec dense, StateDict weights) {
        int[] widths = dense.channelConfig().toArray();
        for (int g = 0; g < widths.length; g++) widths[g] = Math.max(1, Math.round(widths[g] * 0.5f));
        ChannelPruner.Result r =
                ChannelPruner.prune(dense, weights, ChannelPruner.l1Keep(dense, weights, new ChannelConfig(widths)));
        return new PrunedModel(r.spec(), r.weights());
    }

    private static StateDict weights() {
        try {
            return SafeTensors.read(DataDirs.cifar10Models().resolve(WEIGHTS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
