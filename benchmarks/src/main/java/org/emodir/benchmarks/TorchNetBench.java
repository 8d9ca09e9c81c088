package org.emodir.benchmarks;

import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.eval.Sgd;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
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
 * libtorch CPU cost of one batch of CIFAR images: eval forward (what Evaluator does per batch) and one SGD
 * training step (what Trainer does). Images/s = batch / (seconds per op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class TorchNetBench {
    @Param({"resnet20", "resnet56"})
    public String arch;

    @Param({"128"})
    public int batch;

    private TorchNet net;
    private Tensor images;
    private Tensor labels;
    private Sgd sgd;

    @Setup(Level.Trial)
    public void setUp() {
        net = TorchNet.random(NetSpec.dense(arch, 10), 1);
        torch.manual_seed(2);
        images = torch.randn(batch, 3, 32, 32);
        images.retainReference();
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = i % 10;
        labels = Tensors.longs(y, batch);
        labels.retainReference();
        sgd = new Sgd(net.parameters(), 0.9, 5e-4, false);
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
