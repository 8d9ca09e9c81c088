package org.emodir.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.engine.Precision;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.TorchReferenceEvaluator;
import org.emodir.eval.TorchSliceEvaluator;
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
 * One population evaluation of a ResNet-56 stage ({@link #stage}: 1 = 16 channels at 32x32, 2 = 32 at 16x16,
 * 3 = 64 at 8x8; 9 basic blocks, the first of stages 2-3 with stride 2 and the option-A shortcut) on a batch of
 * {@link #batch} feature maps, 2 threads each:
 *
 * <ul>
 *   <li>{@code nativeCpu}: the native CPU engine (kept channels gathered, pruned ones cost nothing);
 *   <li>{@code nativeCpuBf16}: the same with bf16 convs (fp32 accumulation);
 *   <li>{@code torchMask}: libtorch runs the dense stage per individual and zeroes pruned channels (0/1 mask
 *       multiply), the weakest baseline; {@code torchReference} is the same evaluator under its earlier name;
 *   <li>{@code torchSlice}: libtorch per individual on weights with the kept channels {@code index_select}ed
 *       (what a PyTorch user writes; {@link TorchSliceEvaluator}).
 * </ul>
 *
 * Every individual keeps exactly round(keep x width) inner channels per block (which ones random). Weights are
 * random: speed does not depend on their values. Useful FLOP/s ({@link #usefulFlops}) are compared with the FMA
 * peak that {@link PeakFlopsBenchmark} measures in the same run (benchmarks/scripts/population_eval_report.py).
 * Results: benchmarks/README-native.md.
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
    static final int BLOCKS = 9;
    static final int THREADS = 2;

    @Param({"1", "2", "3"})
    public int stage;

    @Param({"8", "128"})
    public int batch;

    @Param({"1.0", "0.7", "0.5", "0.3"})
    public double keep;

    @Param({"32", "128"})
    public int population;

    private NativeCpuEvaluator nativeCpu;
    private NativeCpuEvaluator nativeCpuBf16;
    private TorchReferenceEvaluator torchMask;
    private TorchSliceEvaluator torchSlice;
    private PopulationMasks masks;
    private Objectives objectives;

    @Setup(Level.Trial)
    public void setUp() {
        Random rng = new Random(42);
        int width = width(stage), inC = inChannels(stage), inSize = inSize(stage);
        SubnetProgram program = ResNetStagePrograms.cifarStage(
                randomStage(rng, stage, inC, width), stage, BLOCKS, inC, inSize, inSize, false);
        float[] input = gaussian(rng, batch * inC * inSize * inSize, 1.0);
        float[] reference = gaussian(rng, batch * program.outputSize(), 1.0);
        EvaluationData data = EvaluationData.of(input, batch, reference, null);
        masks = new PopulationMasks(population, program.numGenes());
        int kept = (int) Math.round(keep * width);
        for (int p = 0; p < population; ++p) {
            for (int g = 0; g < program.groupSizes().length; ++g) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                int[] order = shuffled(rng, size);
                for (int i = 0; i < size; ++i) masks.set(p, off + order[i], i < kept);
            }
        }
        objectives = new Objectives(population);
        nativeCpu = new NativeCpuEvaluator(program, data, THREADS);
        nativeCpuBf16 = new NativeCpuEvaluator(program, data, THREADS, MemoryBudget.host(), Precision.BF16);
        torchMask = new TorchReferenceEvaluator(program, data, THREADS);
        torchSlice = new TorchSliceEvaluator(program, data, THREADS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nativeCpu.close();
        nativeCpuBf16.close();
        torchMask.close();
        torchSlice.close();
    }

    @Benchmark
    public float nativeCpu() {
        nativeCpu.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }

    /** The native engine with bf16 convs ({@link Precision#BF16}: VDPBF16PS where the CPU has AVX512_BF16). */
    @Benchmark
    public float nativeCpuBf16() {
        nativeCpuBf16.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }

    @Benchmark
    public float torchMask() {
        torchMask.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }

    /** Same as {@link #torchMask()}: the name the issue-4 results table used. */
    @Benchmark
    public float torchReference() {
        return torchMask();
    }

    @Benchmark
    public float torchSlice() {
        torchSlice.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }

    static int width(int stage) {
        return 16 << (stage - 1);
    }

    static int inChannels(int stage) {
        return stage == 1 ? 16 : width(stage) / 2;
    }

    static int inSize(int stage) {
        return stage == 1 ? 32 : 64 >> (stage - 1);
    }

    /** Stage-1 useful FLOPs at batch 8 (the issue-4 benchmark): see {@link #usefulFlops(int, double, int, int)}. */
    public static double usefulFlops(double keep, int population) {
        return usefulFlops(1, keep, population, 8);
    }

    /**
     * Useful (kept-channel) FLOPs of one evaluation: 2 x MACs of both 3x3 convs of every block, conv1 over its
     * kept output channels, conv2 over its kept input channels (the option-A shortcut has no FLOPs).
     */
    public static double usefulFlops(int stage, double keep, int population, int batch) {
        int width = width(stage), out = inSize(stage) / (stage == 1 ? 1 : 2);
        double kept = Math.round(keep * width), hw = (double) out * out, flops = 0;
        for (int b = 0; b < BLOCKS; ++b) {
            int in = b == 0 ? inChannels(stage) : width;
            flops += 2.0 * 9 * hw * (kept * in + width * kept);
        }
        return flops * batch * population;
    }

    private static StateDict randomStage(Random rng, int stage, int inC, int width) {
        StateDict sd = new StateDict();
        for (int b = 0; b < BLOCKS; ++b) {
            String p = "layer" + stage + "." + b + ".";
            int in = b == 0 ? inC : width;
            sd.put(new NamedTensor(
                    p + "conv1.weight",
                    new long[] {width, in, 3, 3},
                    gaussian(rng, width * in * 9, Math.sqrt(2.0 / (in * 9)))));
            sd.put(new NamedTensor(
                    p + "conv2.weight",
                    new long[] {width, width, 3, 3},
                    gaussian(rng, width * width * 9, Math.sqrt(2.0 / (width * 9)))));
            for (String bn : new String[] {"bn1", "bn2"}) {
                float[] ones = new float[width];
                java.util.Arrays.fill(ones, 1f);
                sd.put(new NamedTensor(p + bn + ".weight", new long[] {width}, ones.clone()));
                sd.put(new NamedTensor(p + bn + ".bias", new long[] {width}, gaussian(rng, width, 0.1)));
                sd.put(new NamedTensor(p + bn + ".running_mean", new long[] {width}, new float[width]));
                sd.put(new NamedTensor(p + bn + ".running_var", new long[] {width}, ones.clone()));
            }
        }
        return sd;
    }

    private static float[] gaussian(Random rng, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; ++i) a[i] = (float) (rng.nextGaussian() * std);
        return a;
    }

    /** 0..n-1 in a random order (Fisher-Yates); shared by the population benchmarks. */
    static int[] shuffled(Random rng, int n) {
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
