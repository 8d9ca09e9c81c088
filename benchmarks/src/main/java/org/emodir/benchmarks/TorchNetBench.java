package org.emodir.benchmarks;

import java.util.concurrent.TimeUnit;
import org.emodir.model.NetSpec;
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
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class TorchNetBench {
    @Param({"resnet20", "resnet56"})
    public String arch;

    @Param({"128"})
    public int batch;

    private TrainingBatch fixture;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = new TrainingBatch(NetSpec.dense(arch, 10), batch);
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
