package org.emodir.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.TorchReferenceEvaluator;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.program.ResNetStagePrograms;
import org.emodir.program.SubnetProgram;
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
 * One population evaluation of ResNet-56 stage 1 (9 basic blocks, 16 channels at 32x32) on a batch of
 * {@value #BATCH} feature maps: native CPU engine vs the libtorch baseline (dense convs, zeroed channels).
 * Every individual keeps exactly round(keep * 16) inner channels per block. Weights are random: speed
 * does not depend on their values. Results: benchmarks/README-native.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "-Xmx4g"
        })
public class PopulationEvalBenchmark {
    static final int BATCH = 8;
    static final int STAGE = 1, BLOCKS = 9, CHANNELS = 16, SIZE = 32;
    static final int THREADS = 2;

    @Param({"1.0", "0.7", "0.5", "0.3"})
    public double keep;

    @Param({"32", "128"})
    public int population;

    private NativeCpuEvaluator nativeCpu;
    private TorchReferenceEvaluator torchReference;
    private PopulationMasks masks;
    private Objectives objectives;

    @Setup(Level.Trial)
    public void setUp() {
        Random rng = new Random(42);
        SubnetProgram program =
                ResNetStagePrograms.cifarStage(randomStage(rng), STAGE, BLOCKS, CHANNELS, SIZE, SIZE, false);
        float[] input = gaussian(rng, BATCH * CHANNELS * SIZE * SIZE, 1.0);
        float[] reference = gaussian(rng, BATCH * program.outputSize(), 1.0);
        EvaluationData data = EvaluationData.of(input, BATCH, reference, null);
        masks = new PopulationMasks(population, program.numGenes());
        int kept = (int) Math.round(keep * CHANNELS);
        for (int p = 0; p < population; ++p) {
            for (int g = 0; g < program.groupSizes().length; ++g) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                int[] order = shuffled(rng, size);
                for (int i = 0; i < size; ++i) masks.set(p, off + order[i], i < kept);
            }
        }
        objectives = new Objectives(population);
        nativeCpu = new NativeCpuEvaluator(program, data, THREADS);
        torchReference = new TorchReferenceEvaluator(program, data, THREADS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nativeCpu.close();
        torchReference.close();
    }

    @Benchmark
    public float nativeCpu() {
        nativeCpu.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }

    @Benchmark
    public float torchReference() {
        torchReference.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }

    /** Useful (kept-channel) FLOPs of one evaluation: 2 * MACs of both convs of every block. */
    public static double usefulFlops(double keep, int population) {
        double keptInner = Math.round(keep * CHANNELS);
        double perBlock = 2.0 * 2.0 * keptInner * CHANNELS * 9 * SIZE * SIZE;
        return perBlock * BLOCKS * BATCH * population;
    }

    private static StateDict randomStage(Random rng) {
        StateDict sd = new StateDict();
        for (int b = 0; b < BLOCKS; ++b) {
            String p = "layer" + STAGE + "." + b + ".";
            for (String conv : new String[] {"conv1", "conv2"}) {
                sd.put(new NamedTensor(
                        p + conv + ".weight",
                        new long[] {CHANNELS, CHANNELS, 3, 3},
                        gaussian(rng, CHANNELS * CHANNELS * 9, Math.sqrt(2.0 / (CHANNELS * 9)))));
            }
            for (String bn : new String[] {"bn1", "bn2"}) {
                float[] ones = new float[CHANNELS];
                java.util.Arrays.fill(ones, 1f);
                sd.put(new NamedTensor(p + bn + ".weight", new long[] {CHANNELS}, ones.clone()));
                sd.put(new NamedTensor(p + bn + ".bias", new long[] {CHANNELS}, gaussian(rng, CHANNELS, 0.1)));
                sd.put(new NamedTensor(p + bn + ".running_mean", new long[] {CHANNELS}, new float[CHANNELS]));
                sd.put(new NamedTensor(p + bn + ".running_var", new long[] {CHANNELS}, ones.clone()));
            }
        }
        return sd;
    }

    private static float[] gaussian(Random rng, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; ++i) a[i] = (float) (rng.nextGaussian() * std);
        return a;
    }

    private static int[] shuffled(Random rng, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; ++i) a[i] = i;
        for (int i = n - 1; i > 0; --i) {
            int j = rng.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
