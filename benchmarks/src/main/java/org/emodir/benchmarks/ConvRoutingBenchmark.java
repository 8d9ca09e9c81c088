package org.emodir.benchmarks;

import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.eval.Sgd;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
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
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ConvRoutingBenchmark {
    @Param({"routed", "plain", "channels_last", "mkldnn_off"})
    public String policy;

    @Param({"128"})
    public int batch;

    private TorchNet net;
    private Tensor images;
    private Tensor labels;
    private Sgd sgd;

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
        System.setProperty(ConvRouter.MODE_PROPERTY, switch (policy) {
            case "routed" -> "verify";
            case "plain", "mkldnn_off" -> "off";
            default -> policy;
        });
        net = TorchNet.random(prunedResNet56(), 1);
        if (policy.equals("mkldnn_off")) torch.globalContext().setUserEnabledMkldnn(false);
        torch.manual_seed(2);
        images = torch.randn(batch, 3, 32, 32);
        images.retainReference();
        int[] y = new int[batch];
        for (int k = 0; k < batch; k++) y[k] = k % 10;
        labels = Tensors.longs(y, batch);
        labels.retainReference();
        sgd = new Sgd(net.parameters(), 0.9, 5e-4, false);
        trainStep();
        evalForward();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sgd.close();
        net.close();
    }

    @Benchmark
    public float evalForward() {
        net.train(false);
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return net.forward(images).sum().item_float();
        }
    }

    @Benchmark
    public float trainStep() {
        net.train(true);
        try (PointerScope scope = new PointerScope()) {
            sgd.zeroGrad();
            Tensor loss = torch.cross_entropy_loss(net.forward(images), labels);
            loss.backward();
            sgd.step(0.01);
            return loss.item_float();
        }
    }
}
