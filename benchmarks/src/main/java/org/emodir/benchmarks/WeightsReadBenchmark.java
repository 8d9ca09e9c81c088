package org.emodir.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.emodir.data.DataDirs;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.TorchCheckpoint;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Time to load the shipped CIFAR ResNets into a StateDict, per format (files are in the page cache). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WeightsReadBenchmark {
    @Param({"resnet56-4bfd9763"})
    public String model;

    private Path pt;
    private Path safetensors;

    @Setup
    public void locate() {
        pt = DataDirs.cifar10Models().resolve(model + ".pt");
        safetensors = DataDirs.cifar10Models().resolve(model + ".safetensors");
    }

    @Benchmark
    public StateDict torchCheckpoint() throws IOException {
        return TorchCheckpoint.read(pt);
    }

    @Benchmark
    public StateDict safeTensors() throws IOException {
        return SafeTensors.read(safetensors);
    }
}
