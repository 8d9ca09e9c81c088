package org.emodir.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.TorchSliceEvaluator;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import org.emodir.program.ProgramMacs;
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
 * One population evaluation of a ResNet-50 stage at 224 px ({@link #stage}: 1 = 3 bottlenecks at 56x56 from the 64-channel
 * stem output, 2-4 = 4/6/3 bottlenecks whose first has the stride-2 3x3 and the 1x1 downsample shortcut) on {@link
 * #batch} feature maps, 2 threads: {@code nativeCpu} against {@code torchSlice} (libtorch per individual on {@code
 * index_select}ed weights, the strongest libtorch baseline; {@link PopulationEvalBenchmark} has the mask variant).
 * Every individual keeps round(keep x width) channels of every prunable group (which ones random); weights random
 * (speed does not depend on them). The useful (kept-channel) FLOPs of one evaluation are printed at setup
 * ("useful GFLOP per evaluation"), for GFLOP/s against {@link PeakFlopsBenchmark}'s peak measured in the same run.
 * Results: benchmarks/README-imagenet.md.
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
            "-Xmx6g"
        })
public class ResNet50StageBenchmark {
    static final int THREADS = 2;

    @Param({"1", "2", "3", "4"})
    public int stage;

    @Param({"8"})
    public int batch;

    @Param({"1.0", "0.5"})
    public double keep;

    @Param({"8"})
    public int population;

    private NativeCpuEvaluator nativeCpu;
    private TorchSliceEvaluator torchSlice;
    private PopulationMasks masks;
    private Objectives objectives;

    @Setup(Level.Trial)
    public void setUp() {
        NetSpec spec = NetSpec.dense("resnet50", 1000);
        StateDict weights;
        try (PointerScope scope = new PointerScope();
                TorchNet net = TorchNet.random(spec, 42)) {
            weights = net.toStateDict();
        }
        int from = spec.stageStart(stage - 1), to = spec.stageStart(stage);
        int[] in = inputShape(stage);
        SubnetProgram program = NetSpecPrograms.blocks(spec, weights, from, to, in, false);
        Random rng = new Random(42);
        float[] input = new float[batch * in[0] * in[1] * in[2]];
        for (int i = 0; i < input.length; i++) input[i] = (float) Math.max(0, rng.nextGaussian()); // post-ReLU
        float[] reference = new float[batch * program.outputSize()];
        EvaluationData data = EvaluationData.of(input, batch, reference, null);
        masks = new PopulationMasks(population, program.numGenes());
        int[] kept = new int[program.groupSizes().length];
        for (int p = 0; p < population; ++p) {
            for (int g = 0; g < kept.length; ++g) {
                int off = program.groupOffset(g), size = program.groupSizes()[g];
                kept[g] = (int) Math.round(keep * size);
                int[] order = PopulationEvalBenchmark.shuffled(rng, size);
                for (int i = 0; i < size; ++i) masks.set(p, off + order[i], i < kept[g]);
            }
        }
        double useful = 2 * ProgramMacs.of(program).macs(kept) * batch * population;
        System.out.printf(
                "%nuseful GFLOP per evaluation: %.3f (stage %d, keep %.2f, %d x %d)%n",
                useful / 1e9, stage, keep, population, batch);
        objectives = new Objectives(population);
        nativeCpu = new NativeCpuEvaluator(program, data, THREADS);
        torchSlice = new TorchSliceEvaluator(program, data, THREADS);
    }

    /** {C, H, W} of stage {@code s}'s input at 224 px. */
    static int[] inputShape(int s) {
        return switch (s) {
            case 1 -> new int[] {64, 56, 56};
            case 2 -> new int[] {256, 56, 56};
            case 3 -> new int[] {512, 28, 28};
            case 4 -> new int[] {1024, 14, 14};
            default -> throw new IllegalArgumentException("ResNet-50 has stages 1-4, got " + s);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nativeCpu.close();
        torchSlice.close();
    }

    @Benchmark
    public float nativeCpu() {
        nativeCpu.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }

    @Benchmark
    public float torchSlice() {
        torchSlice.evaluate(masks, population, objectives);
        return objectives.mse(population - 1);
    }
}
