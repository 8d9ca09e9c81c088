package org.emodir.benchmarks;

import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;
import org.emodir.model.conv.ConvRouter;
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
 * What convolution routing (issue 12) costs: one SGD step and one eval forward of a pruned ResNet-56 (every block's
 * inner width about half, odd: 7/9/11, 15/17/19, 31/33/35; 50 % of the FLOPs) at batch 128, per routing policy:
 * <ul>
 *   <li>{@code routed}: emodir's default (checked per shape; verdicts warmed in setup, as a run pays them once);</li>
 *   <li>{@code plain}: mkldnn on every convolution, unchecked (wrong on hosts that hide their cache sizes);</li>
 *   <li>{@code channels_last}: every convolution on mkldnn with NHWC tensors;</li>
 *   <li>{@code mkldnn_off}: libtorch with mkldnn disabled globally (the blunt fix, correct everywhere).</li>
 * </ul>
 * Each policy runs in its own fork, since the router reads its mode once per JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ConvRoutingBenchmark {
    @Param({"routed", "plain", "channels_last", "mkldnn_off"})
    public String policy;

    @Param({"128"})
    public int batch;

    private TrainingBatch fixture;

    /** ResNet-56 with every prunable group at about half its width, odd. */
    static NetSpec prunedResNet56() {
        NetSpec dense = NetSpec.dense("resnet56", 10);
        int[] widths = new int[dense.prunableGroups().size()];
        int i = 0;
        for (ChannelGroup g : dense.prunableGroups()) {
            widths[i] = g.denseWidth() / 2 + new int[] {-1, 1, 3}[i % 3];
            i++;
        }
        return dense.withChannels(new ChannelConfig(widths));
    }

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty(
                ConvRouter.MODE_PROPERTY,
                switch (policy) {
                    case "routed" -> "verify";
                    case "plain", "mkldnn_off" -> "off";
                    default -> policy;
                });
        fixture = new TrainingBatch(prunedResNet56(), batch);
        if (policy.equals("mkldnn_off")) torch.globalContext().setUserEnabledMkldnn(false);
        // Checks happen here, not while measuring: a run pays them once per shape and host kind.
        fixture.trainStep();
        fixture.evalForward();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fixture.close();
    }

    @Benchmark
    public float evalForward() {
        return fixture.evalForward();
    }

    @Benchmark
    public float trainStep() {
        return fixture.trainStep();
    }
}
